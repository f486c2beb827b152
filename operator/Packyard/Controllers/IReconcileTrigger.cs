namespace Packyard.Controllers;

/// <summary>Asks for another resource to be reconciled (a Repository after an upload, a target after a promotion).</summary>
public interface IReconcileTrigger
{
    void Enqueue(string kind, string ns, string name);
}

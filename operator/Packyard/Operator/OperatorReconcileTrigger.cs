using Packyard.Controllers;

namespace Packyard.Operator;

/// <summary>Asks the leader's controller to reconcile a resource (a finished task's); nothing while this replica does not lead.</summary>
internal sealed class OperatorReconcileTrigger(OperatorController controller) : IReconcileTrigger
{
    public void Enqueue(string kind, string ns, string name) => controller.Requeue(kind, ns, name);
}

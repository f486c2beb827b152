using Packyard.Api.Conditions;
using Packyard.Api.Resources;

namespace Packyard.Controllers;

/// <summary>
/// The one conditions helper (fluxcd/pkg runtime/conditions rules): Set stamps observedGeneration and moves
/// lastTransitionTime only when status, reason or message change; messages are trimmed at 32,768 bytes;
/// Stalled, Reconciling and Ready sort first; MarkReconciling clears Stalled and MarkStalled clears Reconciling.
/// </summary>
public static class ConditionSet
{
    private const int MaxMessageLength = 32_768;
    private static readonly string[] Order = [ConditionTypes.Stalled, ConditionTypes.Reconciling, ConditionTypes.Ready];

    public static Condition? Get(ResourceStatus status, string type) => status.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(ResourceStatus status, string type) => Get(status, type)?.Status == ConditionStatus.True;

    public static void Set(ResourceStatus status, string type, ConditionStatus value, string reason, string message, long? generation, DateTimeOffset now)
    {
        status.Conditions ??= [];
        if (message.Length > MaxMessageLength)
        {
            message = message[..(MaxMessageLength - 1)] + "…";
        }

        var existing = Get(status, type);
        if (existing is null)
        {
            status.Conditions.Add(new Condition { Type = type, Status = value, Reason = reason, Message = message, ObservedGeneration = generation, LastTransitionTime = now });
        }
        else
        {
            if (existing.Status != value || existing.Reason != reason || existing.Message != message)
            {
                existing.LastTransitionTime = now;
            }

            existing.Status = value;
            existing.Reason = reason;
            existing.Message = message;
            existing.ObservedGeneration = generation;
        }

        status.Conditions.Sort((a, b) => Rank(a.Type).CompareTo(Rank(b.Type)) is var byRank and not 0 ? byRank : string.CompareOrdinal(a.Type, b.Type));
    }

    public static void MarkTrue(ResourceStatus status, string type, string reason, string message, long? generation, DateTimeOffset now) =>
        Set(status, type, ConditionStatus.True, reason, message, generation, now);

    public static void MarkFalse(ResourceStatus status, string type, string reason, string message, long? generation, DateTimeOffset now) =>
        Set(status, type, ConditionStatus.False, reason, message, generation, now);

    public static void MarkReconciling(ResourceStatus status, string reason, string message, long? generation, DateTimeOffset now)
    {
        Delete(status, ConditionTypes.Stalled);
        MarkTrue(status, ConditionTypes.Reconciling, reason, message, generation, now);
    }

    public static void MarkStalled(ResourceStatus status, string reason, string message, long? generation, DateTimeOffset now)
    {
        Delete(status, ConditionTypes.Reconciling);
        MarkTrue(status, ConditionTypes.Stalled, reason, message, generation, now);
    }

    public static void Delete(ResourceStatus status, string type) => status.Conditions?.RemoveAll(c => c.Type == type);

    private static int Rank(string type)
    {
        var index = Array.IndexOf(Order, type);
        return index < 0 ? Order.Length : index;
    }
}

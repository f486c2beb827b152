using Microsoft.Extensions.Logging;

namespace Packyard.ControllerRuntime;

public sealed partial class ResourceClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = KubernetesEventIds.Request, Level = LogLevel.Debug, Message = "{Method} {Path} → {StatusCode}")]
        public static partial void Request(ILogger logger, string method, string path, int statusCode);

        [LoggerMessage(EventId = KubernetesEventIds.WatchClosed, Level = LogLevel.Debug,
            Message = "Watch of {Kind} closed; reconnecting from resourceVersion {ResourceVersion}")]
        public static partial void WatchClosed(ILogger logger, string kind, string resourceVersion);

        [LoggerMessage(EventId = KubernetesEventIds.WatchFailed, Level = LogLevel.Warning, Message = "Watch {Path} failed, retrying: {Error}")]
        public static partial void WatchFailed(ILogger logger, string path, string error);
    }
}

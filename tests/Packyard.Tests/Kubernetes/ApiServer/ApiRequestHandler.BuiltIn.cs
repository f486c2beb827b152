using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

internal sealed partial class ApiRequestHandler
{
    private const string ApiExtensions = "apiextensions.k8s.io";

    /// <summary>The built-in checks (422) and, for a CustomResourceDefinition, the status its controllers would write.</summary>
    private static void PrepareBuiltIn(ServedResource resource, string name, JsonObject item, JsonObject? old)
    {
        var causes = BuiltInValidator.Validate(resource, item, old);
        if (causes.Count > 0)
        {
            throw ApiError.Invalid(resource, name, causes);
        }

        if (IsCrd(resource))
        {
            TestApiServer.SetCrdStatus(item, old);
        }
    }

    /// <summary>After a write: a stored CustomResourceDefinition (re)defines its resources; a deleted one removes them.</summary>
    private JsonObject Written(ServedResource resource, JsonObject item, string eventType)
    {
        if (IsCrd(resource))
        {
            if (eventType == "DELETED")
            {
                server.UnregisterCrd(item);
            }
            else
            {
                server.RegisterCrd(item);
            }
        }

        return item;
    }

    private static bool IsCrd(ServedResource resource) => resource.Group == ApiExtensions && resource.Plural == "customresourcedefinitions";
}

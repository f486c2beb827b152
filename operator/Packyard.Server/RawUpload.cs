using Microsoft.AspNetCore.Http;

namespace Packyard.Server;

/// <summary>A raw-body upload's file name and fields (the query string's, or those a type's root route passes).</summary>
internal sealed record RawUpload(string FileName, IReadOnlyDictionary<string, string> Fields)
{
    public static RawUpload FromQuery(IQueryCollection query)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            if (key != UploadEndpoint.FileNameParameter)
            {
                fields[key] = value.ToString();
            }
        }

        return new RawUpload(query[UploadEndpoint.FileNameParameter].ToString(), fields);
    }
}

namespace Packyard.Server;

/// <summary>The declared Repositories cannot be read now (e.g. the API server does not answer); the upload is answered 503.</summary>
public sealed class RepositorySourceUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);

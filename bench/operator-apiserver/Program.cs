using System.Globalization;
using Packyard.Tests.Kubernetes.ApiServer;

// bench/operator-apiserver DIR: starts the test API server on 127.0.0.1, writes DIR/kubeconfig, and every second
// DIR/requests.txt with the requests served so far by verb ("GET 123"), by verb without Lease and Event traffic
// ("objects PATCH 45") and the Event writes ("events 7"), until SIGTERM or Ctrl-C.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: operator-apiserver DIR");
    return 2;
}

var directory = Directory.CreateDirectory(args[0]).FullName;
await using var server = await TestApiServer.StartAsync(bookmarkInterval: TimeSpan.FromSeconds(1));
server.WriteKubeconfig(directory);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
Console.WriteLine($"listening {server.Url}");

var statistics = Path.Combine(directory, "requests.txt");
while (!stop.IsCancellationRequested)
{
    var requests = server.Requests.ToList();
    var lines = requests.GroupBy(r => r.Method).OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => $"{g.Key} {g.Count().ToString(CultureInfo.InvariantCulture)}")
        .Concat(requests.Where(r => !r.PathAndQuery.Contains("/leases", StringComparison.Ordinal) && !r.PathAndQuery.Contains("/events", StringComparison.Ordinal))
            .GroupBy(r => r.Method).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"objects {g.Key} {g.Count().ToString(CultureInfo.InvariantCulture)}"))
        .Concat(requests.Where(r => r.PathAndQuery.Contains("/events", StringComparison.Ordinal) && r.Method != "GET")
            .Select(_ => "event").GroupBy(x => x).Select(g => $"events {g.Count().ToString(CultureInfo.InvariantCulture)}"));
    await File.WriteAllLinesAsync(statistics + ".tmp", lines);
    File.Move(statistics + ".tmp", statistics, overwrite: true);
    try
    {
        await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}

return 0;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.StatusPage;

/// <summary>
/// Debian's real <c>chromium</c>, headless (<c>--no-sandbox</c>, as the tests run as root), with a temporary profile, driven
/// through the DevTools protocol on <c>--remote-debugging-port</c> over a <see cref="ClientWebSocket"/>: set the viewport,
/// navigate and wait for the load, evaluate script in the page, dispatch real mouse events, capture screenshots.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly TemporaryDirectory profile;
    private readonly Process process;
    private readonly ClientWebSocket socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> pending = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task reading;
    private readonly StringBuilder errors = new();
    private int nextId;
    private TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HeadlessChromium(TemporaryDirectory profile, Process process, ClientWebSocket socket)
    {
        this.profile = profile;
        this.process = process;
        this.socket = socket;
        reading = Task.Run(ReadLoopAsync);
    }

    /// <summary>The folder screenshots are saved in: <c>$PACKYARD_TEST_ARTIFACTS</c>, else <c>artifacts/</c> beside the test assembly.</summary>
    public static string ArtifactsFolder
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("PACKYARD_TEST_ARTIFACTS") is { Length: > 0 } configured
                ? configured
                : Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public static async Task<HeadlessChromium> StartAsync()
    {
        var binary = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed: apt-get install chromium (tests/run.sh does)");
        var profile = new TemporaryDirectory();
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", $"--user-data-dir={profile.Path}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Chromium writes the port it chose into the profile once DevTools listens.
            var portFile = Path.Combine(profile.Path, "DevToolsActivePort");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(portFile) || File.ReadAllLines(portFile).Length == 0)
            {
                if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new InvalidOperationException($"chromium did not open its DevTools port within 30 s (exited: {process.HasExited})");
                }

                await Task.Delay(100);
            }

            var port = int.Parse(File.ReadAllLines(portFile)[0], CultureInfo.InvariantCulture);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            var page = targets.First(t => (string?)t!["type"] == "page")!;
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
            var chromium = new HeadlessChromium(profile, process, socket);
            await chromium.SendAsync("Page.enable");
            await chromium.SendAsync("Runtime.enable");
            return chromium;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            profile.Dispose();
            throw;
        }
    }

    /// <summary>Sets the viewport width (CSS pixels, device scale 1; mobile below 600 px), as a window of that size would be.</summary>
    public Task SetViewportAsync(int width, int height) =>
        SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
        {
            ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = width < 600,
        });

    /// <summary>Navigates and waits for the page's load event.</summary>
    public async Task NavigateAsync(Uri url)
    {
        var load = ExpectLoad();
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        Assert.True(result["errorText"] is null, $"navigating to {url}: {result["errorText"]}");
        await load.WaitAsync(CommandTimeout);
    }

    /// <summary>A task that completes at the next load event (navigation started by a click, say).</summary>
    public Task ExpectLoad()
    {
        loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return loaded.Task;
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        Assert.True(result["exceptionDetails"] is null, $"{expression}: {result["exceptionDetails"]?.ToJsonString()}");
        return result["result"]?["value"];
    }

    /// <summary>Scrolls the element <paramref name="selector"/> into view and clicks its centre with the mouse (press and release).</summary>
    public async Task ClickAsync(string selector)
    {
        var box = await EvaluateAsync($$"""
            (() => { const e = document.querySelector({{JsonSerializer.Serialize(selector)}}); if (!e) return null;
              e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();
              return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height}; })()
            """);
        Assert.True(box is not null, $"no element matches {selector}");
        Assert.True((double)box!["w"]! > 0 && (double)box["h"]! > 0, $"{selector} is not visible: {box.ToJsonString()}");
        foreach (var type in new[] { "mouseMoved", "mousePressed", "mouseReleased" })
        {
            await SendAsync("Input.dispatchMouseEvent", new JsonObject
            {
                ["type"] = type, ["x"] = (double)box["x"]!, ["y"] = (double)box["y"]!, ["button"] = type == "mouseMoved" ? "none" : "left",
                ["clickCount"] = type == "mouseMoved" ? 0 : 1,
            });
        }
    }

    /// <summary>A PNG of the whole page (beyond the viewport) at the current width.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String((string)result["data"]!);
    }

    public async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref nextId);
        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, stop.Token);
        var answer = await reply.Task.WaitAsync(CommandTimeout);
        Assert.True(answer["error"] is null, $"{method}: {answer["error"]?.ToJsonString()}");
        return answer["result"] ?? new JsonObject();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!;
                message.SetLength(0);
                if (node["id"] is { } id && pending.TryRemove((int)id, out var reply))
                {
                    reply.TrySetResult(node);
                }
                else if ((string?)node["method"] == "Page.loadEventFired")
                {
                    loaded.TrySetResult();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            lock (errors)
            {
                errors.Append(e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The socket is torn down with the process below.
        }

        socket.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        stop.Dispose();
        profile.Dispose();
    }
}

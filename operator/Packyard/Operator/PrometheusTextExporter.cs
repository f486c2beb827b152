using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Packyard.Operator;

/// <summary>
/// Renders the instruments of one meter in the Prometheus text exposition format (version 0.0.4): counters as
/// <c>counter</c>, observable gauges as <c>gauge</c> (observed at scrape time), histograms as cumulative <c>_bucket</c>
/// series with <c>_sum</c> and <c>_count</c>. A MeterListener aggregates measurements in memory.
/// </summary>
public sealed class PrometheusTextExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<Instrument, ConcurrentDictionary<string, Series>> values = new();
    private readonly Lock scrape = new();

    public PrometheusTextExporter(string meterName)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                values.TryAdd(instrument, new ConcurrentDictionary<string, Series>(StringComparer.Ordinal));
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    public string Render()
    {
        var text = new StringBuilder();
        lock (scrape)
        {
            // Gauges are observed afresh on each scrape: a label set that is no longer observed disappears.
            foreach (var series in values.Values)
            {
                foreach (var (key, _) in series.Where(p => p.Value.Gauge))
                {
                    series.TryRemove(key, out _);
                }
            }

            listener.RecordObservableInstruments();
            foreach (var (instrument, series) in values.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
            {
                var type = instrument switch
                {
                    Counter<long> or Counter<double> => "counter",
                    Histogram<double> => "histogram",
                    _ => "gauge",
                };
                text.Append("# HELP ").Append(instrument.Name).Append(' ').Append(instrument.Description).Append('\n');
                text.Append("# TYPE ").Append(instrument.Name).Append(' ').Append(type).Append('\n');
                foreach (var (labels, s) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    lock (s)
                    {
                        if (type == "histogram")
                        {
                            long cumulative = 0;
                            for (var i = 0; i < Buckets.Length; i++)
                            {
                                cumulative += s.Buckets[i];
                                Line(text, instrument.Name + "_bucket", Join(labels, $"le=\"{Number(Buckets[i])}\""), cumulative);
                            }

                            Line(text, instrument.Name + "_bucket", Join(labels, "le=\"+Inf\""), s.Count);
                            Line(text, instrument.Name + "_sum", labels, s.Sum);
                            Line(text, instrument.Name + "_count", labels, s.Count);
                        }
                        else
                        {
                            Line(text, instrument.Name, labels, s.Sum);
                        }
                    }
                }
            }
        }

        return text.ToString();
    }

    public void Dispose() => listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!values.TryGetValue(instrument, out var series))
        {
            return;
        }

        var labels = Labels(tags);
        var gauge = instrument.IsObservable;
        var s = series.GetOrAdd(labels, _ => new Series(gauge));
        lock (s)
        {
            if (gauge)
            {
                s.Sum = value;
                return;
            }

            s.Sum += value;
            s.Count++;
            if (instrument is Histogram<double>)
            {
                var index = Array.FindIndex(Buckets, b => value <= b);
                if (index >= 0)
                {
                    s.Buckets[index]++;
                }
            }
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<string>(tags.Length);
        foreach (var (name, value) in tags)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{name}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static void Line(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series(bool gauge)
    {
        public bool Gauge { get; } = gauge;
        public double Sum { get; set; }
        public long Count { get; set; }
        public long[] Buckets { get; } = new long[PrometheusTextExporter.Buckets.Length];
    }
}

using System.Text.Json;

namespace RnnCluster.Tests.Dashboard;

/// <summary>The dashboard's server-sent events (`/events`) as a page receives them.</summary>
internal static class DashboardEvents
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Reads up to the next `update` event of the stream and parses its data.</summary>
    public static async Task<JsonDocument> NextUpdateAsync(StreamReader events)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        string? line;
        while ((line = await events.ReadLineAsync(timeout.Token)) != "event: update")
            Assert.NotNull(line);
        var data = await events.ReadLineAsync(timeout.Token);
        Assert.StartsWith("data: ", data);
        Assert.Equal("", await events.ReadLineAsync(timeout.Token));
        return JsonDocument.Parse(data!["data: ".Length..]);
    }

    /// <summary>What a page opened now gets first: the whole state.</summary>
    public static async Task<JsonDocument> FirstUpdateAsync(HttpClient http, Uri dashboard)
    {
        await using var stream = await http.GetStreamAsync(new Uri(dashboard, "events"));
        using var events = new StreamReader(stream);
        return await NextUpdateAsync(events);
    }
}

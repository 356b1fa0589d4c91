namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// The last <paramref name="capacity"/> items added, numbered from 1 in the order added, so that a reader that
/// saw up to number n can ask for the rest. Older items are dropped: the page keeps curves of bounded length
/// however long the run.
/// </summary>
internal sealed class RecentItems<T>(int capacity)
{
    private readonly Queue<(long Number, T Item)> items = new();

    /// <summary>The number of the last item added; 0 before any.</summary>
    public long Last { get; private set; }

    public void Add(T item)
    {
        items.Enqueue((++Last, item));
        if (items.Count > capacity) items.Dequeue();
    }

    /// <summary>The items kept whose number is above <paramref name="seen"/>, oldest first.</summary>
    public List<T> After(long seen) => items.Where(i => i.Number > seen).Select(i => i.Item).ToList();
}

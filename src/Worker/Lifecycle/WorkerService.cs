using System.Diagnostics;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Worker.Lifecycle;

/// <summary>
/// rnn-worker's life (docs/contract.md): join the seed nodes and serve whichever coordinator is there; when
/// the coordinator leaves or dies, start over in a new node and serve the next one. A worker never stays in a
/// cluster without a coordinator: after a coordinator leaves it leaves too, and when its coordinator has been
/// unreachable for <see cref="CoordinatorUnreachableLimit"/> (dead, or cut off) it downs itself, the worker's
/// half of the cluster's downing policy (ClusterNode.Membership). A restarted coordinator forms a new cluster,
/// even on the same address, and one that was cut off has downed this node meanwhile: either way only a new
/// node can join.
/// With <see cref="WorkerCommandLine.Once"/> it serves one job: 0 once that job finished, 1 when its
/// coordinator is lost and none is back within <see cref="CoordinatorLostLimit"/>.
/// Every step is one plain line on <paramref name="output"/>.
/// </summary>
internal sealed class WorkerService(WorkerCommandLine options, TextWriter output)
{
    public const int Finished = 0;
    public const int CoordinatorLost = 1;

    public static readonly TimeSpan CoordinatorLostLimit = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a coordinator may be unreachable before this worker gives its node up and joins again as a new
    /// one. Well past a coordinator's pauses on a busy machine (a checkpoint, a collection), as long as the
    /// coordinator waits before downing an unreachable worker: a partition that lasts longer costs both sides a
    /// rejoin, and a shorter one heals in place.
    /// </summary>
    public static readonly TimeSpan CoordinatorUnreachableLimit = TimeSpan.FromSeconds(10);

    /// <summary>How long a stopping worker tries to leave the cluster gracefully before it just exits.</summary>
    private static readonly TimeSpan LeaveLimit = TimeSpan.FromSeconds(8);

    /// <summary>When a new node cannot start (its fixed port still taken, say), the next try comes after this long.</summary>
    private static readonly TimeSpan RestartRetry = TimeSpan.FromSeconds(5);

    private enum Ending { Stopped, JobFinished, CoordinatorGone, CoordinatorUnreachable, CoordinatorLostTooLong }

    /// <summary>Running since the coordinator was lost; null while one is there (or before the first).</summary>
    private Stopwatch? _lost;

    /// <summary>Running since this node's coordinator became unreachable; null while it is reachable.</summary>
    private Stopwatch? _unreachable;

    /// <summary>
    /// Serves until stopped (<paramref name="stop"/>: SIGTERM), or with --once until its job ends. Throws
    /// <see cref="NodeStartException"/> when the first node cannot start: that is the user's setup to fix.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var node = await WorkerNode.StartAsync(options, stop).ConfigureAwait(false);
        Say($"joining {Seeds}");
        while (true)
        {
            var ending = await ServeAsync(node, stop).ConfigureAwait(false);
            if (ending == Ending.CoordinatorUnreachable) await node.DownAsync(LeaveLimit).ConfigureAwait(false);
            else await node.LeaveAsync(LeaveLimit).ConfigureAwait(false);
            if (ending is not (Ending.CoordinatorGone or Ending.CoordinatorUnreachable)) return Exit(ending);
            Say($"rejoining {Seeds}");
            var next = await RestartAsync(stop).ConfigureAwait(false);
            if (next is null) return Exit(stop.IsCancellationRequested ? Ending.Stopped : Ending.CoordinatorLostTooLong);
            node = next;
        }
    }

    private int Exit(Ending ending)
    {
        switch (ending)
        {
            case Ending.JobFinished:
                Say("exiting: the job finished (--once)");
                return Finished;
            case Ending.CoordinatorLostTooLong:
                Say($"exiting: no coordinator for {CoordinatorLostLimit.TotalSeconds:0} s (--once)");
                return CoordinatorLost;
            default:
                Say("exiting: stopped");
                return Finished;
        }
    }

    private string Seeds => options.Node.Discovery is { } discovery ? $"the cluster of {discovery.Describe}" : string.Join(", ", options.Node.SeedNodes);

    /// <summary>Reads the node's events until one ends its service.</summary>
    private async Task<Ending> ServeAsync(WorkerNode node, CancellationToken stop)
    {
        while (true)
        {
            // Whichever comes first: --once giving up on a lost coordinator, or giving up this node on an unreachable one.
            TimeSpan? onceLimit = options.Once && _lost is not null ? Remaining() : null;
            TimeSpan? unreachableLimit = _unreachable is null ? null : Max(CoordinatorUnreachableLimit - _unreachable.Elapsed, TimeSpan.Zero);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            if (onceLimit is not null || unreachableLimit is not null) wait.CancelAfter(Min(onceLimit ?? TimeSpan.MaxValue, unreachableLimit ?? TimeSpan.MaxValue));
            WorkerEvent next;
            try
            {
                next = await node.Events.ReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (stop.IsCancellationRequested) return Ending.Stopped;
                if (onceLimit is { } once && (unreachableLimit is not { } limit || once <= limit)) return Ending.CoordinatorLostTooLong;
                Say($"coordinator unreachable for {CoordinatorUnreachableLimit.TotalSeconds:0} s: leaving the cluster to join again as a new node");
                _unreachable = null;
                return Ending.CoordinatorUnreachable;
            }

            switch (next)
            {
                case Joined joined:
                    Say($"joined as {joined.Self}");
                    break;
                case CoordinatorUp up:
                    _lost = null;
                    Say($"coordinator {up.Coordinator} is up");
                    break;
                case CoordinatorReachable reachable:
                    (_lost, _unreachable) = (null, null);
                    Say($"coordinator {reachable.Coordinator} is reachable again");
                    break;
                case CoordinatorUnreachable unreachable:
                    _lost ??= Stopwatch.StartNew();
                    _unreachable ??= Stopwatch.StartNew();
                    Say($"coordinator {unreachable.Coordinator} is unreachable");
                    break;
                case JobReceived received:
                    Say(JobLine.Received(received.Job, received.Network));
                    break;
                case JobDeclined declined:
                    Say($"{JobLine.Id(declined.JobId)} refused: {declined.Reason}");
                    break;
                case MessageDeclined declined:
                    Say($"{JobLine.Id(declined.JobId)}: refused {declined.Reason}; waiting for the job to be sent again");
                    break;
                case SamplesWaited waited:
                    Say(JobLine.Waited(waited.JobId, waited.Waits));
                    break;
                case JobEnded ended:
                    Say($"{JobLine.Id(ended.JobId)} finished");
                    Say($"peak resident memory: {Rnn.Math.Model.MemoryEstimate.Size(ProcessMemory.PeakResidentBytes())}");
                    if (options.Once) return Ending.JobFinished;
                    break;
                case CoordinatorRemoved removed:
                    Say($"coordinator {removed.Coordinator} {(removed.Left ? "left" : "is gone")}");
                    if (removed.Remaining > 0) break;
                    _lost ??= Stopwatch.StartNew();
                    _unreachable = null;
                    return Ending.CoordinatorGone;
                case NodeStopped:
                    _lost ??= Stopwatch.StartNew();
                    _unreachable = null;
                    Say("removed from the cluster");
                    return Ending.CoordinatorGone;
            }
        }
    }

    /// <summary>A new node, once one can start; null when the worker is stopped (or, with --once, gives up) first.</summary>
    private async Task<WorkerNode?> RestartAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && !(options.Once && Remaining() == TimeSpan.Zero))
        {
            try
            {
                return await WorkerNode.StartAsync(options, stop).ConfigureAwait(false);
            }
            catch (NodeStartException e)
            {
                Say($"{e.Message}; trying again in {RestartRetry.TotalSeconds:0} s");
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            try
            {
                await Task.Delay(RestartRetry, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private TimeSpan Remaining()
    {
        var left = CoordinatorLostLimit - (_lost?.Elapsed ?? TimeSpan.Zero);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void Say(string line) => output.WriteLine(line);
}

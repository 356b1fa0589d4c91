using Akka.Actor;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Actors;

/// <summary>Groups [<see cref="First"/>, <see cref="End"/>) of a round for <see cref="Worker"/>.</summary>
internal readonly record struct Assignment(IActorRef Worker, int First, int End);

/// <summary>A holder's shard of the round in flight: how long it has had it and how long it is allowed.</summary>
internal readonly record struct HeldShard(int First, int End, IActorRef Holder, TimeSpan Waited, TimeSpan Allowed)
{
    public bool IsLate => Waited >= Allowed;
}

/// <summary>
/// The shards a training round of <see cref="GroupCount"/> groups is to have if <see cref="Workers"/> are then the ones
/// usable, cut a step ahead so that workers which fetch their samples read exactly those ahead.
/// </summary>
internal sealed record RoundForecast(IReadOnlyList<IActorRef> Workers, int GroupCount, IReadOnlyList<Assignment> Shards)
{
    /// <summary>Whether it is of a round of <paramref name="groupCount"/> groups among <paramref name="round"/>, in any order.</summary>
    public bool Fits(int groupCount, IReadOnlyCollection<IActorRef> round)
        => GroupCount == groupCount && Workers.Count == round.Count && Workers.All(round.Contains);
}

/// <summary>A training round in flight that must start again.</summary>
/// <param name="Excluded">The workers the new round goes without (unless no other is usable).</param>
/// <param name="Late">The late shard that makes it start again, when that is why; null when a holder was lost.</param>
internal sealed record TrainingVerdict(IReadOnlyCollection<IActorRef> Excluded, HeldShard? Late);

/// <summary>
/// The coordinator's scheduling policy, kept out of the actor as Akka's sharding keeps its allocation strategy out
/// of the shard coordinator: which workers a request may go to, how a run of groups is cut among them by speed,
/// when a shard is late (its holder's recent pace, stretched), when a training round must start again, and how a
/// validation round's gaps and late shards are shared out. It decides from the roster and the round and changes
/// neither, but for marking a worker passed over (its pace); <see cref="CoordinatorActor"/> issues, sends and reports.
/// </summary>
internal sealed class ShardPolicy(WorkerRoster workers, CoordinatorSettings settings)
{
    /// <summary>
    /// Workers a request can go to now: the idle ones; and when <paramref name="startingRound"/>, also those still
    /// computing a request of an earlier round that is not late (a copy overtaken by the original's answer, say):
    /// the new request waits behind it for a moment, where leaving them out would run the whole round on fewer
    /// workers. A worker late on its request (a straggler, or dead without the cluster knowing yet) is left out
    /// until it answers.
    /// </summary>
    public List<IActorRef> Available(bool startingRound)
    {
        var idle = workers.Idle.ToList();
        if (startingRound)
            idle.AddRange(workers.Usable.Where(u => u.Computing is { } request && !IsLate(u.Worker, request)).Select(u => u.Worker));
        return idle;
    }

    /// <summary>
    /// The shards of a new training round of <paramref name="groupCount"/> groups: one contiguous run each for the
    /// workers usable now but <paramref name="excluded"/> (all usable ones, when no other is), sized by speed. A
    /// worker whose run comes out empty is passed over (its pace knows). Empty when no worker is usable. The shards of
    /// the <paramref name="forecast"/> made a step before (<see cref="Forecast"/>) are kept when its workers are still
    /// the ones usable. Also gives the workers the round was cut among.
    /// </summary>
    public (List<Assignment> Shards, IReadOnlyList<IActorRef> Workers) TrainingRound(int groupCount, IReadOnlyCollection<IActorRef> excluded, RoundForecast? forecast = null)
    {
        var usable = Available(startingRound: true);
        var chosen = usable.Where(w => !excluded.Contains(w)).ToList();
        var round = chosen.Count == 0 ? usable : chosen;
        // The same workers in any order (one whose answer is still on its way is listed after the idle ones).
        return (forecast?.Fits(groupCount, round) == true ? Take(forecast) : Cut(0, groupCount, [.. round], int.MaxValue), round);
    }

    /// <summary>The shards of <paramref name="forecast"/>, its workers without one passed over, as <see cref="Cut"/> passes them.</summary>
    private List<Assignment> Take(RoundForecast forecast)
    {
        foreach (var worker in forecast.Workers.Where(w => !forecast.Shards.Any(s => s.Worker.Equals(w)))) workers.Pace(worker).Passed();
        return [.. forecast.Shards];
    }

    /// <summary>
    /// The next training round's shards, of <paramref name="groupCount"/> groups, cut by speed now among the
    /// <paramref name="round"/>'s workers; nobody's pace is touched (that is for when it is used).
    /// </summary>
    public RoundForecast Forecast(IReadOnlyList<IActorRef> round, int groupCount)
    {
        var pieces = ShardPlanner.Plan(0, groupCount, round.Select(workers.Speed).ToArray());
        return new RoundForecast(round, groupCount, [.. pieces.Select((piece, i) => new Assignment(round[i], piece.First, piece.End)).Where(a => a.First < a.End)]);
    }

    /// <summary>
    /// A training round's shards are one partition, each holder's partial sums passing on to the next: a gap, a
    /// holder gone or refused before its sums went on, or a late shard with a worker idle to take over, start the
    /// round again; otherwise it goes on (null).
    /// </summary>
    public TrainingVerdict? Judge(Round round, Func<int, int, int> samplesOf)
    {
        if (round.Gaps(workers.IsReachable).Count > 0 || round.Contributors.Any(worker => !workers.IsReachable(worker) || round.Refused.Contains(worker)))
            return new TrainingVerdict(round.Refused, null);
        var ready = workers.Ready.ToList();
        if (!workers.Idle.Any(worker => round.MayTake(worker, ready))) return null;
        var late = Late(round, samplesOf).FirstOrDefault();
        return late.Holder is null ? null : new TrainingVerdict([.. round.Refused, late.Holder], late);
    }

    /// <summary>
    /// A validation round's work for the workers free now: first the groups no one computes (all of them at the
    /// start of a round, a lost holder's later), idle workers going to each gap in proportion to its size and cut
    /// by speed; then, to workers still idle, copies of late shards, the latest first, cut the same way.
    /// </summary>
    public (List<Assignment> Gaps, List<(HeldShard Late, List<Assignment> Copies)> Copies) Validation(Round round, bool startingRound, Func<int, int, int> samplesOf,
        RoundForecast? forecast = null)
    {
        var idle = Available(startingRound);
        var ready = workers.Ready.ToList();
        idle.RemoveAll(worker => !round.MayTake(worker, ready));
        var gaps = round.Gaps(workers.IsReachable);
        // At the round's start, the cut made a step ahead (its workers read their first slices ahead), if they are the ones idle.
        if (startingRound && gaps is [(0, var all)] && forecast?.Fits(all, idle) == true) return (Take(forecast), []);
        var late = Late(round, samplesOf).ToList();
        var given = new List<Assignment>();
        int ungiven = gaps.Sum(g => g.End - g.First);
        foreach (var (first, end) in gaps)
        {
            int share = System.Math.Max(1, (int)System.Math.Round(idle.Count * (end - first) / (double)ungiven));
            ungiven -= end - first;
            given.AddRange(Cut(first, end, idle, share));
        }
        var copies = new List<(HeldShard, List<Assignment>)>();
        var copied = new HashSet<(int, int)>();
        foreach (var shard in late)
        {
            if (idle.Count == 0) break;
            if (copied.Add((shard.First, shard.End))) copies.Add((shard, Cut(shard.First, shard.End, idle, idle.Count)));
        }
        return (given, copies);
    }

    /// <summary>Each reachable holder's shard of <paramref name="round"/>, with the time it has had it and the time it is allowed.</summary>
    public IEnumerable<HeldShard> Held(Round round, Func<int, int, int> samplesOf)
    {
        foreach (var (first, end, holder, waited) in round.Waiting(workers.IsReachable))
            if (Allowance(holder, samplesOf(first, end)) is { } allowed) yield return new HeldShard(first, end, holder, waited, allowed);
    }

    /// <summary>The shards of <paramref name="round"/> late now, the latest past its allowance first.</summary>
    private IEnumerable<HeldShard> Late(Round round, Func<int, int, int> samplesOf) =>
        Held(round, samplesOf).Where(h => h.IsLate).OrderByDescending(h => h.Waited - h.Allowed);

    /// <summary>How long until the next shard of <paramref name="round"/> not late yet becomes late; null when none will.</summary>
    public TimeSpan? NextLate(Round round, Func<int, int, int> samplesOf) =>
        Held(round, samplesOf).Where(h => !h.IsLate).Select(h => (TimeSpan?)(h.Allowed - h.Waited)).Min();

    private bool IsLate(IActorRef worker, WorkerRoster.Request request) => Allowance(worker, request.Samples) is { } allowed && request.Waited > allowed;

    /// <summary>
    /// How long <paramref name="worker"/> may take for <paramref name="samples"/> samples: the time it is expected
    /// to take (its recent time per sample from request to answer, or the median of all workers' for one not
    /// measured yet, times the samples), stretched by <see cref="CoordinatorSettings.LateMultiple"/> but by no
    /// less than <see cref="CoordinatorSettings.LateFloor"/>. Before any worker has answered there is no measure,
    /// and nothing is late.
    /// </summary>
    private TimeSpan? Allowance(IActorRef worker, int samples)
    {
        if ((workers.Pace(worker).RoundTripMsPerSample ?? workers.RoundTripMsPerSample) is not { } msPerSample) return null;
        var expected = TimeSpan.FromMilliseconds(msPerSample * samples);
        var slack = expected * (settings.LateMultiple - 1);
        return expected + (slack > settings.LateFloor ? slack : settings.LateFloor);
    }

    /// <summary>
    /// Cuts groups [first, end) by speed among the first <paramref name="count"/> of <paramref name="idle"/>; a
    /// worker whose piece is empty is passed over, and the workers given a piece leave the list.
    /// </summary>
    private List<Assignment> Cut(int first, int end, List<IActorRef> idle, int count)
    {
        var chosen = idle.Take(count).ToList();
        if (chosen.Count == 0) return [];
        var pieces = ShardPlanner.Plan(first, end, chosen.Select(workers.Speed).ToArray());
        var given = new List<Assignment>();
        for (int i = 0; i < pieces.Count; i++)
        {
            if (pieces[i].First == pieces[i].End) workers.Pace(chosen[i]).Passed();
            else given.Add(new Assignment(chosen[i], pieces[i].First, pieces[i].End));
        }
        idle.RemoveAll(w => given.Any(g => g.Worker.Equals(w)));
        return given;
    }
}

using Akka.Actor;
using Akka.TestKit.Xunit2;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Tests.Actors;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.DataPlane;

/// <summary>What a node's data plane refuses before a byte of payload lands: anything that does not fit what it expects.</summary>
public sealed class FrameRefusalTests() : TestKit(ActorSystemSettings.Setup(ActorSystemSettings.Base))
{
    private const int Parameters = 100_000;

    [Theory]
    [InlineData(1, Segments.Floats)]
    [InlineData(0, Segments.Floats + 1)]
    [InlineData(Segments.Floats, Parameters)]
    [InlineData(Parameters, 5)]
    [InlineData(-Segments.Floats, Segments.Floats)]
    public void The_coordinator_refuses_a_segment_off_the_gradient(long offset, int count)
    {
        var inbox = new RootInbox(Parameters, TestActor);
        inbox.Expect(3, groupCount: 4);
        Assert.Throws<FrameRefusedException>(() => inbox.Open(Frame.Partial(3, 2, 0, offset, count), 1));
    }

    [Fact]
    public void The_coordinator_refuses_any_node_but_the_root_and_drops_an_earlier_round()
    {
        var inbox = new RootInbox(Parameters, TestActor);
        inbox.Expect(3, groupCount: 4);
        Assert.Throws<FrameRefusedException>(() => inbox.Open(Frame.Partial(3, 1, 1, 0, Segments.Floats), 1));
        Assert.Throws<FrameRefusedException>(() => inbox.Open(Frame.Weights(3, 0, Segments.Floats), 1));
        Assert.Null(inbox.Open(Frame.Partial(2, 2, 0, 0, Segments.Floats), 1).Buffer);
        var target = inbox.Open(Frame.Partial(3, 2, 0, 0, Segments.Floats), 1);
        Assert.Same(inbox.Gradient, target.Buffer);
    }

    [Fact]
    public void The_root_counts_once_all_its_segments_landed_and_a_second_copy_is_dropped()
    {
        var inbox = new RootInbox(Parameters, TestActor);
        inbox.Expect(3, groupCount: 4);
        for (int segment = 0; segment < Segments.Count(Parameters); segment++)
        {
            var (offset, count) = Segments.Range(segment, Parameters);
            var frame = Frame.Partial(3, 2, 0, offset, count);
            inbox.Commit(frame, inbox.Open(frame, 1), landed: true);
            Assert.Null(inbox.Open(frame, 2).Buffer);
        }
        Assert.Equal(3, ExpectMsg<RootArrived>().RoundId);
    }

    [Fact]
    public void A_worker_refuses_data_off_its_arrays_an_unknown_kind_and_a_node_its_round_does_not_expect()
    {
        var job = TestJobs.StackedLstmGru();
        var start = new StartJob(Guid.NewGuid(), WorkerJob.Of(job.Model, job.Training), new DataShape(37, 11, 6, 2, 1), Guid.NewGuid(), "local:0#0", 1);
        var replica = new JobReplica(start, job.InitialWeights.Length);
        var inbox = new WorkerInbox(replica, TestActor);
        Assert.Throws<FrameRefusedException>(() => inbox.Open(Frame.Data((byte)DataPart.TrainX, 0, 37 * 6 * 2 + 1), 0));
        Assert.Throws<FrameRefusedException>(() => inbox.Open(Frame.Data(9, 0, 1), 0));
        Assert.Throws<FrameRefusedException>(() => inbox.Open(new Frame((FrameKind)7, 0, 0, 0, 0, 0, 1), 0));
        var request = new ComputeGradients(start.JobId, 5, 0, 0, 10, 5, 0, [0, 2, 5], ["local:0#1", "local:0#2"], [0, 1, 2, 3]);
        inbox.BeginRound(request, (_, _, _, _, _) => { });
        Assert.Throws<FrameRefusedException>(() => inbox.Open(Frame.Partial(5, 0, 0, 0, job.InitialWeights.Length), 2));
        Assert.NotNull(inbox.Open(Frame.Partial(5, 1, 1, 0, job.InitialWeights.Length), 2).Buffer);
        Assert.Null(inbox.Open(Frame.Partial(4, 1, 1, 0, job.InitialWeights.Length), 2).Buffer);
        inbox.Close();
    }

    [Fact]
    public void A_worker_tells_its_actor_when_the_data_and_a_weights_version_are_complete()
    {
        var job = TestJobs.StackedLstmGru();
        var start = new StartJob(Guid.NewGuid(), WorkerJob.Of(job.Model, job.Training), new DataShape(37, 0, 6, 2, 1), Guid.NewGuid(), "local:0#0", 1);
        var inbox = new WorkerInbox(new JobReplica(start, job.InitialWeights.Length), TestActor);
        Deliver(inbox, f => Frame.Data((byte)DataPart.TrainX, f.Offset, f.Count), 37 * 6 * 2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Deliver(inbox, f => Frame.Data((byte)DataPart.TrainY, f.Offset, f.Count), 37);
        ExpectMsg<DataArrived>();
        Deliver(inbox, f => Frame.Weights(4, f.Offset, f.Count), job.InitialWeights.Length);
        Assert.Equal(4, ExpectMsg<WeightsArrived>().Version);
        Assert.Null(inbox.Open(Frame.Weights(3, 0, job.InitialWeights.Length), 0).Buffer);
    }

    private static void Deliver(IFrameSink sink, Func<(long Offset, int Count), Frame> frame, long length)
    {
        for (int segment = 0; segment < Segments.Count(length); segment++)
        {
            var f = frame(Segments.Range(segment, length));
            sink.Commit(f, sink.Open(f, 0), landed: true);
        }
    }
}

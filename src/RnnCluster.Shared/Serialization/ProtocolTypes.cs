using Akka.Serialization;
using Rnn.Math.Losses;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared.Serialization;

/// <summary>
/// The types of the control messages (see <see cref="WireFormat"/>): every protocol message and the records inside
/// them. Hyperion writes a known type as its index in this list instead of its name.
/// </summary>
public sealed class ProtocolTypes : IKnownTypesProvider
{
    public static readonly Type[] All =
    [
        typeof(StartJob), typeof(WorkerJob), typeof(DataShape), typeof(MappedData), typeof(ComputeGradients), typeof(ComputeValidationLoss),
        typeof(JobFinished), typeof(WorkerReady), typeof(DataReceived), typeof(GradientsComputed), typeof(PartialSum),
        typeof(PartialSum[]), typeof(ValidationLossComputed), typeof(ShardFailed), typeof(FrameRefused),
        typeof(JobRefused), typeof(MessageRefused), typeof(LossSums), typeof(FetchSamples),
    ];

    public IEnumerable<Type> GetKnownTypes() => All;
}

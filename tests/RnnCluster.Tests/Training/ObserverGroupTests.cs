using System.Reflection;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Training;

/// <summary>
/// ObserverGroup stands for the console and the dashboard together: a report it does not pass on is a report
/// the user never sees (a worker lost, a shard re-issued), since every report has a default that does nothing.
/// </summary>
public sealed class ObserverGroupTests
{
    [Fact]
    public void Every_report_reaches_every_observer_in_order()
    {
        var reports = typeof(ISessionObserver).GetMethods();
        var first = DispatchProxy.Create<ISessionObserver, Recorder>();
        var second = DispatchProxy.Create<ISessionObserver, Recorder>();
        var group = new ObserverGroup(first, second);

        foreach (var report in reports)
            report.Invoke(group, report.GetParameters().Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray());

        var names = reports.Select(r => r.Name).ToArray();
        Assert.Equal(names, ((Recorder)(object)first).Heard);
        Assert.Equal(names, ((Recorder)(object)second).Heard);
    }

    public class Recorder : DispatchProxy
    {
        public List<string> Heard { get; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Heard.Add(targetMethod!.Name);
            return null;
        }
    }
}

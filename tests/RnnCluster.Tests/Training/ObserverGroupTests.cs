using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Training;

public class ObserverGroupTests
{
    [Fact]
    public void The_group_passes_on_every_report_an_observer_can_hear()
    {
        // A report the group does not implement falls to the interface's empty default and reaches no one:
        // the console would lose its lines whenever the dashboard is on.
        var map = typeof(ObserverGroup).GetInterfaceMap(typeof(ISessionObserver));

        Assert.All(map.TargetMethods, method => Assert.Equal(typeof(ObserverGroup), method.DeclaringType));
    }
}

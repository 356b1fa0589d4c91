using Rnn.Math.Config;
using Rnn.Math.Training;

namespace RnnCluster.Tests.Training;

/// <summary>training.schedule's rates against the formulas of docs/contract.md and torch's StepLR and ReduceLROnPlateau.</summary>
public class LearningRateScheduleTests
{
    [Fact]
    public void Step_multiplies_by_gamma_every_few_epochs_from_epoch_zero()
    {
        var schedule = new ScheduleConfig(ScheduleKind.Step, Every: 2, Gamma: 0.5);

        var rates = Enumerable.Range(0, 6).Select(epoch => LearningRateSchedule.Rate(0.08f, schedule, epoch, 0, 100, PlateauState.Start));

        Assert.Equal([0.08f, 0.08f, 0.04f, 0.04f, 0.02f, 0.02f], rates);
    }

    [Fact]
    public void Cosine_warms_up_linearly_then_falls_to_its_minimum_over_the_rest_of_the_run()
    {
        var schedule = new ScheduleConfig(ScheduleKind.Cosine, WarmupSteps: 4, MinLearningRate: 0.01);
        float Rate(long step) => LearningRateSchedule.Rate(0.1f, schedule, 0, step, 14, PlateauState.Start);

        Assert.Equal([0.025f, 0.05f, 0.075f, 0.1f], Enumerable.Range(0, 4).Select(t => Rate(t)));
        // Step 4 is the cosine's start (the base rate), step 9 its middle, step 14 (one past the last) its minimum.
        Assert.Equal(0.1, Rate(4), 6);
        Assert.Equal(0.01 + 0.09 * (1 + System.Math.Cos(System.Math.PI * 5 / 10)) / 2, Rate(9), 6);
        Assert.Equal(0.01, Rate(14), 6);
    }

    [Fact]
    public void Plateau_reduces_after_more_than_patience_epochs_without_a_relative_gain_and_stops_at_its_minimum()
    {
        var schedule = new ScheduleConfig(ScheduleKind.Plateau, Monitor: "valLoss", Factor: 0.5, Patience: 1, MinLearningRate: 0.03);
        var plateau = PlateauState.Start;
        var rates = new List<float>();
        // 1.0 best; 1.0 and 0.99995 are not better by 1e-4 (bad 1, bad 2: reduce to 0.05); 0.5 better; then two bad: 0.03.
        foreach (double figure in new[] { 1.0, 1.0, 0.99995, 0.5, 0.6, 0.7, 0.8, 0.9 })
        {
            plateau = LearningRateSchedule.AfterEpoch(0.1f, schedule, plateau, figure);
            rates.Add(LearningRateSchedule.Rate(0.1f, schedule, 0, 0, 1, plateau));
        }

        Assert.Equal([0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.03f, 0.03f, 0.03f], rates);
    }

    [Fact]
    public void An_accuracy_plateaus_when_it_stops_rising()
    {
        var schedule = new ScheduleConfig(ScheduleKind.Plateau, Monitor: "valAccuracy", Factor: 0.1, Patience: 1);
        var plateau = PlateauState.Start;
        foreach (double accuracy in new[] { 0.5, 0.6, 0.7 }) plateau = LearningRateSchedule.AfterEpoch(1f, schedule, plateau, accuracy);
        Assert.Null(plateau.Rate);

        foreach (double accuracy in new[] { 0.65, 0.69 }) plateau = LearningRateSchedule.AfterEpoch(1f, schedule, plateau, accuracy);

        Assert.Equal(0.1, plateau.Rate!.Value, 12);
    }
}

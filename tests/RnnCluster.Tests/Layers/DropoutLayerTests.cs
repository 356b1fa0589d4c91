using Rnn.Math.Layers;
using Rnn.Math.Model;
using Rnn.Math.Training;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Layers;

/// <summary>Inverted dropout with masks keyed by (seed, epoch, sample id, layer, position).</summary>
public class DropoutLayerTests
{
    private const int Units = 8;
    private static readonly LayerSpec Spec = Build(2, Lstm(Units, sequences: true), Dropout(0.3f), Dense(1)).Layers[1];
    private static readonly DropoutKey Key = new(Seed: 5, Epoch: 2);

    private static float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();

    private static float[] Mask(int[] sampleIds, int steps, int firstStep = 0)
    {
        var pass = new Pass(sampleIds.Length, steps, firstStep, 1, sampleIds, Key);
        return Spec.Config.Build(Spec, lossAppliesSoftmax: false).Forward([], Ones(sampleIds.Length * steps * Units), pass);
    }

    [Fact]
    public void Training_DropsAboutRateOfTheElements_AndScalesTheRestByOneOverKeep()
    {
        var mask = Mask(Enumerable.Range(0, 100).ToArray(), steps: 25);
        Assert.All(mask, v => Assert.True(v == 0f || v == 1f / 0.7f, $"unexpected mask value {v}"));
        double dropped = mask.Count(v => v == 0f) / (double)mask.Length;
        Assert.InRange(dropped, 0.28, 0.32);   // 20,000 draws: the standard error of the fraction is 0.0032
    }

    [Fact]
    public void Mask_DependsOnTheSampleId_NotOnItsRowInTheShard()
    {
        var alone = Mask([17], steps: 4);
        var second = Mask([3, 17], steps: 4).AsSpan(4 * Units, 4 * Units).ToArray();
        Assert.Equal(alone, second);
    }

    [Fact]
    public void Mask_OfAWindow_IsTheMaskOfThoseTimestepsOfTheWholeSequence()
    {
        var whole = Mask([4, 9], steps: 6);
        var window = Mask([4, 9], steps: 2, firstStep: 3);
        for (int s = 0; s < 2; s++)
            Assert.Equal(whole.AsSpan((s * 6 + 3) * Units, 2 * Units).ToArray(), window.AsSpan(s * 2 * Units, 2 * Units).ToArray());
    }

    [Fact]
    public void Inference_IsTheIdentity()
    {
        var input = Ones(2 * 3 * Units);
        var pass = new Pass(2, 3, 0, 1, null, null);
        Assert.Same(input, Spec.Config.Build(Spec, lossAppliesSoftmax: false).Forward([], input, pass));
    }
}

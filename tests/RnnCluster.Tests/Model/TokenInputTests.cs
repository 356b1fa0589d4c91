using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Model;
using Rnn.Math.Training;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>
/// A recurrent layer right after an embedding reads ids through the embedding's table when a group of samples holds
/// at least twice as many rows (sample, step) as the table: it projects the table's rows once and sums the gate
/// gradients per token. Below that it reads the embedded rows. Both ways must give the loss's gradient, and the
/// forward pass must give the same bits either way.
/// </summary>
public class TokenInputTests
{
    private static RecurrentConfig Recurrent(string kind, bool bidirectional) => kind switch
    {
        "lstm" => new LstmConfig(3, true) { Bidirectional = bidirectional },
        "gru" => new GruConfig(3, true) { Bidirectional = bidirectional },
        _ => new RnnConfig(3, true) { Bidirectional = bidirectional },
    };

    /// <summary>n samples of T random ids in [0, vocabulary), class targets per step.</summary>
    private static ShardInput Ids(Network network, int n, int timesteps, int vocabulary, ulong seed)
    {
        var shard = Shard(network, LossKind.CrossEntropy, n, timesteps, seed);
        return shard with { X = shard.X.Select(v => MathF.Min(vocabulary - 1, MathF.Floor((v + 1f) / 2f * vocabulary))).ToArray() };
    }

    [Theory]
    [InlineData("lstm", false)]
    [InlineData("lstm", true)]
    [InlineData("gru", false)]
    [InlineData("gru", true)]
    [InlineData("rnn", true)]
    public void Through_the_table_the_gradient_matches_finite_differences(string kind, bool bidirectional)
    {
        // One group of 3 samples × 6 steps = 18 rows against a table of 5: the table is read.
        var network = Build(1, new EmbeddingConfig(5, 4), Recurrent(kind, bidirectional), Dense(3));
        GradientCheck.AssertMatchesFiniteDifferences(network, LossKind.CrossEntropy, Ids(network, 3, 6, 5, seed: 21));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Row_by_row_for_a_table_larger_than_half_a_group_the_gradient_matches_finite_differences(string kind)
    {
        // 2 samples × 4 steps = 8 rows against a table of 12: the embedded rows are read.
        var network = Build(1, new EmbeddingConfig(12, 4), Recurrent(kind, bidirectional: true), Dense(3));
        GradientCheck.AssertMatchesFiniteDifferences(network, LossKind.CrossEntropy, Ids(network, 2, 4, 12, seed: 22));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void The_outputs_through_the_table_are_the_bits_of_the_outputs_row_by_row(string kind)
    {
        // A sample alone is 6 rows against a table of 5 (row by row); all 6 together are 36 (through the table).
        const int n = 6, T = 6, vocabulary = 5;
        var network = Build(1, new EmbeddingConfig(vocabulary, 8), Recurrent(kind, bidirectional: true), Dense(3));
        var engine = new GradientEngine(network, LossKind.CrossEntropy, 0);
        var parameters = Parameters(network, 4);
        var x = Ids(network, n, T, vocabulary, seed: 23).X;
        var together = new float[n * T * 3];
        engine.Predict(parameters, x, n, T, together);
        for (int s = 0; s < n; s++)
        {
            var alone = new float[T * 3];
            engine.Predict(parameters, x.AsSpan(s * T, T).ToArray(), 1, T, alone);
            Assert.Equal(alone, together.AsSpan(s * T * 3, T * 3).ToArray());
        }
    }
}

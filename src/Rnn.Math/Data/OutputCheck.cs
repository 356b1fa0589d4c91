using Rnn.Math.Config;

namespace Rnn.Math.Data;

/// <summary>
/// Whether a dataset's targets fit what the model outputs: one value per sample or per timestep as the
/// model returns a sequence or not, as many values as the last layer has units, and class indices the last
/// layer can score for cross-entropy.
/// </summary>
public static class OutputCheck
{
    /// <summary>
    /// Throws an <see cref="InputException"/> when <paramref name="data"/> cannot train a model whose last
    /// layer has <paramref name="outputUnits"/> units, per timestep when <paramref name="outputsSequence"/>.
    /// </summary>
    public static void Require(Dataset data, int outputUnits, bool outputsSequence, LossKind loss)
    {
        string per = data.SequenceTargets ? "timestep" : "sample";
        if (outputsSequence != data.SequenceTargets)
        {
            throw new InputException(outputsSequence
                ? "the model returns a sequence (returnSequences on its last recurrent layer) but the data has one target per sample"
                : "the data has a target per timestep but the model returns one output per sample (set returnSequences on its last recurrent layer)");
        }
        if (loss == LossKind.CrossEntropy)
        {
            if (data.Classes == 0)
            {
                throw new InputException("training.loss crossentropy needs class-index targets (a safetensors y of class indices, or the copy generator)");
            }
            if (data.Classes > outputUnits)
            {
                throw new InputException(
                    $"the data's targets go up to class {data.Classes - 1} but the model's last layer has {outputUnits} units (one per class)");
            }
            return;
        }
        if (data.Targets != outputUnits)
        {
            throw new InputException($"the data has {data.Targets} targets per {per} but the model's last layer has {outputUnits} units");
        }
    }
}

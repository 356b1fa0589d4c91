using System.Globalization;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// evaluate: how well the model predicts the input's known targets. The loss is the training loss, on
/// normalised values as training reports it; RMSE and MAE are in the data's own units, next to the RMSE of
/// the persistence baseline (next value = last value) when the target is one of the inputs. When the model was
/// trained with a validation split, the same figures follow for the input's last windows in that proportion:
/// on the training file, exactly the windows training held out. The last line is the same as one JSON
/// object, for scripts.
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(ParsedArgs args, CliContext context)
    {
        var options = PredictOptions.From(args);
        var model = TrainedModel.Load(options.ModelDir);
        if (Path.GetExtension(options.Input).Equals(".safetensors", StringComparison.OrdinalIgnoreCase))
            return EvaluateTensors(model, options, context);
        if (model.Network.OutputSize != 1)
            throw new InputException($"--model: evaluate compares one output with the target; this model has {model.Network.OutputSize}");
        var windows = model.Windows(options.Input);
        var normalised = model.PredictNormalised(windows);

        var known = Enumerable.Range(0, windows.Windows).Where(w => !float.IsNaN(windows.Actual[w])).ToArray();
        if (known.Length == 0)
            throw new InputException($"--input {options.Input}: no window has a known {model.Target} {model.Config.Data.Horizon} step(s) ahead to compare with");

        var all = Score(model, windows, normalised, known);
        int trainCount = ValidationSplit.TrainCount(known.Length, model.Config.Data.ValidationSplit);
        var heldOut = trainCount < known.Length && trainCount > 0 ? Score(model, windows, normalised, known[trainCount..]) : null;

        var lossName = model.Config.Training.Loss.ToString().ToLowerInvariant();
        // --quiet keeps only the final summary: the JSON line.
        var text = options.Quiet ? TextWriter.Null : context.Stdout;
        text.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{all.Windows} windows  loss {all.Loss:G5} ({lossName}, normalised)  rmse {all.Rmse:G5}  mae {all.Mae:G5} ({model.Target}){Baseline(all)}"));
        if (heldOut is not null)
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"last {heldOut.Windows} windows (the part training held out for validation, validationSplit {model.Config.Data.ValidationSplit:G3})  " +
                $"loss {heldOut.Loss:G5}  rmse {heldOut.Rmse:G5}  mae {heldOut.Mae:G5}{Baseline(heldOut)}"));
        var json = new EvaluationReport(all.Windows, all.Loss, all.Rmse, all.Mae, all.PersistenceRmse, heldOut);
        context.Stdout.WriteLine(JsonLine.Of(json));
        return RnnClusterApp.Success;
    }

    /// <summary>A safetensors test set (x and y, as a safetensors data source holds them): the mean loss, any model.</summary>
    private static int EvaluateTensors(TrainedModel model, PredictOptions options, CliContext context)
    {
        var (samples, loss) = model.Evaluate(options.Input);
        var lossName = model.Config.Training.Loss.ToString().ToLowerInvariant();
        if (!options.Quiet)
            context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{samples} samples  loss {loss:G5} ({lossName})"));
        context.Stdout.WriteLine(JsonLine.Of(new TensorEvaluation(samples, loss)));
        return RnnClusterApp.Success;
    }

    /// <summary>Loss, RMSE, MAE and the persistence baseline over the windows <paramref name="known"/>.</summary>
    private static EvaluationResult Score(TrainedModel model, PredictionWindows windows, float[] normalised, int[] known)
    {
        var errors = known.Select(w => (double)windows.ToDataUnits(normalised[w]) - windows.Actual[w]).ToArray();
        var normalisedErrors = known.Select(w => (double)normalised[w] - windows.Scaling.Target.Apply(windows.Actual[w])).ToArray();
        return new EvaluationResult(
            known.Length,
            model.Config.Training.Loss == LossKind.Mae ? normalisedErrors.Average(System.Math.Abs) : normalisedErrors.Average(e => e * e),
            System.Math.Sqrt(errors.Average(e => e * e)),
            errors.Average(System.Math.Abs),
            PersistenceRmse(model, windows, known));
    }

    private static string Baseline(EvaluationResult result) => result.PersistenceRmse is { } p
        ? string.Create(CultureInfo.InvariantCulture, $"  (persistence baseline rmse {p:G5})")
        : "";

    /// <summary>The RMSE of predicting each target by the window's last value of the target column.</summary>
    private static double? PersistenceRmse(TrainedModel model, PredictionWindows windows, int[] known)
    {
        var column = model.Config.Data.Columns!.ToList().IndexOf(model.Target);
        if (column < 0) return null;
        var scaling = windows.Scaling.Features[column];
        var squares = known.Select(w =>
        {
            var last = windows.X[((w * windows.Timesteps) + windows.Timesteps - 1) * windows.Features + column];
            var error = (double)scaling.Undo(last) - windows.Actual[w];
            return error * error;
        });
        return System.Math.Sqrt(squares.Average());
    }

    private sealed record TensorEvaluation(int Samples, double Loss);

    private sealed record EvaluationResult(int Windows, double Loss, double Rmse, double Mae, double? PersistenceRmse);

    /// <summary>The JSON line: every window, and the held-out tail when the model was trained with a validation split.</summary>
    private sealed record EvaluationReport(int Windows, double Loss, double Rmse, double Mae, double? PersistenceRmse, EvaluationResult? HeldOut);
}

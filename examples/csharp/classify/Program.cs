// A sequence classifier: which of three shapes a noisy 20-step curve follows (rising, falling, a bump), learned
// by a bidirectional GRU from class indices, with accuracy each epoch and class probabilities from Predict.
using System.Globalization;
using RnnCluster;

const int Samples = 600, Timesteps = 20, Classes = 3;
var random = new Random(1);
var x = new float[Samples, Timesteps, 1];
var y = new int[Samples];
for (int i = 0; i < Samples; i++)
{
    y[i] = i % Classes;
    for (int t = 0; t < Timesteps; t++)
    {
        float u = t / (Timesteps - 1f);
        float shape = y[i] switch { 0 => u, 1 => 1 - u, _ => MathF.Sin(MathF.PI * u) };
        x[i, t, 0] = shape + 0.3f * (float)(random.NextDouble() - 0.5);
    }
}

var model = new Sequential(inputSize: 1) { new Gru(16, bidirectional: true), new Dense(Classes) };
model.Compile(new Adam(learningRate: 0.01), loss: "crossentropy", metrics: ["accuracy"]);
var history = await model.FitAsync(x, y, epochs: 20, batchSize: 32, validationSplit: 0.2, options: new FitOptions { Seed = 1, Workers = 2 });
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"trained {history.Loss.Count} epochs: accuracy {history.Metrics["accuracy"][^1]:0.000}, val_accuracy {history.Metrics["valAccuracy"][^1]:0.000}"));

float[,] probabilities = model.Predict(x);
for (int i = 0; i < 3; i++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"sample {i} (class {y[i]}): p = {probabilities[i, 0]:0.000} {probabilities[i, 1]:0.000} {probabilities[i, 2]:0.000}"));
model.Save(args.Length > 0 ? args[0] : Path.Combine("runs", "classify"));

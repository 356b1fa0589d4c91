// The seed's Keras example in C#: LSTM(50) -> Dropout(0.2) -> Dense(1), Adam, MSE, accuracy, 100 epochs of
// batch 32, then predict, save and load. Usage: dotnet run -- [OUT_FOLDER] (default runs/seed).
using System.Globalization;
using RnnCluster;

string folder = args.Length > 0 ? args[0] : Path.Combine("runs", "seed");
const int Samples = 240, Timesteps = 12;

// Windows of a sine series: 12 steps in, the next value out.
var x = new float[Samples, Timesteps, 1];
var y = new float[Samples, 1];
for (int i = 0; i < Samples; i++)
{
    for (int t = 0; t < Timesteps; t++) x[i, t, 0] = MathF.Sin(0.3f * (i + t));
    y[i, 0] = MathF.Sin(0.3f * (i + Timesteps));
}

var model = new Sequential(inputSize: 1) { new Lstm(50), new Dropout(0.2), new Dense(1) };
model.Compile(optimizer: new Adam(learningRate: 0.001), loss: "mse", metrics: ["accuracy"]);
var progress = new Progress<EpochProgress>(e =>
{
    if (e.Epoch % 20 == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}/{e.Epochs}: loss {e.Loss:0.000000} val_loss {e.ValLoss:0.000000}"));
});
History history = await model.FitAsync(x, y, epochs: 100, batchSize: 32, validationSplit: 0.2, options: new FitOptions { Seed = 42 }, progress: progress);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained {history.Loss.Count} epochs: loss {history.Loss[^1]:0.000000}, val_loss {history.ValLoss![^1]:0.000000}"));

float[,] predictions = model.Predict(x);
model.Save(folder);
var again = Sequential.Load(folder);
float[,] reloaded = again.Predict(x);
for (int i = 0; i < Samples; i++)
    if (BitConverter.SingleToInt32Bits(predictions[i, 0]) != BitConverter.SingleToInt32Bits(reloaded[i, 0]))
        throw new InvalidOperationException($"sample {i}: the loaded model predicts {reloaded[i, 0]}, the trained one {predictions[i, 0]}");

File.WriteAllLines(Path.Combine(folder, "predictions.txt"),
    Enumerable.Range(0, Samples).Select(i => predictions[i, 0].ToString("R", CultureInfo.InvariantCulture)));
Console.WriteLine($"model saved to {folder}; loaded again, it predicts the same {Samples} values (predictions.txt)");

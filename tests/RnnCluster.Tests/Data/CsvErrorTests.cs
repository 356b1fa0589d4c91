using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using static RnnCluster.Tests.Data.DataConfigs;

namespace RnnCluster.Tests.Data;

/// <summary>Each problem in a CSV series is one message naming the file, the line as an editor shows it, and the column.</summary>
public class CsvErrorTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Passengers(string cellOnLine14)
    {
        var lines = new List<string> { "month,passengers" };
        for (int i = 0; i < 20; i++) lines.Add($"m{i},{100 + i}");
        lines[13] = $"m12,{cellOnLine14}";
        return string.Join("\n", lines) + "\n";
    }

    private string ErrorOf(string csv, DataConfig? data = null)
    {
        folder.Write("passengers.csv", csv);
        var config = Run((data ?? Csv(["passengers"], "passengers", 3)) with { Path = "passengers.csv" }, folder.Path);
        return Assert.Throws<InputException>(() => DatasetLoader.Load(config)).Message;
    }

    [Fact]
    public void NonNumericCellNamesFileLineAndColumn()
    {
        Assert.Equal("passengers.csv line 14: column \"passengers\": \"abc\" is not a number", ErrorOf(Passengers("abc")));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e39")]
    public void NonFiniteCellIsRejected(string cell)
    {
        Assert.Equal($"passengers.csv line 14: column \"passengers\": \"{cell}\" is not a finite number", ErrorOf(Passengers(cell)));
    }

    [Fact]
    public void EmptyCellIsRejected()
    {
        Assert.Equal("passengers.csv line 14: column \"passengers\": empty cell, expected a number", ErrorOf(Passengers("")));
    }

    [Fact]
    public void LineNumbersCountLinesAsAnEditorDoesAcrossAQuotedCellOfTwoLines()
    {
        Assert.StartsWith("passengers.csv line 4:", ErrorOf("month,passengers\n\"m\n0\",1\nm1,x\n"));
    }

    [Fact]
    public void BlankLineBetweenDataRowsIsRefusedNamingItsLine()
    {
        Assert.Equal(
            "passengers.csv line 4: blank line between data rows; a window would span the gap as if the rows were consecutive (remove the line, or end the series there)",
            ErrorOf("month,passengers\nm0,1\nm1,2\n\nm2,3\nm3,4\nm4,5\n"));
    }

    [Fact]
    public void BlankLinesAfterTheLastRowAreHarmless()
    {
        folder.Write("passengers.csv", "month,passengers\nm0,1\nm1,2\nm2,3\nm3,4\n\n\n");
        var config = Run(Csv(["passengers"], "passengers", 3) with { Path = "passengers.csv" }, folder.Path);
        Assert.Equal(1, DatasetLoader.Load(config).Samples);
    }

    [Fact]
    public void UnknownColumnSuggestsTheNearest()
    {
        string message = ErrorOf(Passengers("1"), Csv(["pasengers"], "passengers", 3));

        Assert.Equal(
            "passengers.csv line 1: no column \"pasengers\" (asked for by data.columns); did you mean \"passengers\"? (the header has month, passengers)",
            message);
    }

    [Fact]
    public void UnknownTargetColumnNamesTheTargetField()
    {
        Assert.Contains("no column \"sales\" (asked for by data.target)", ErrorOf(Passengers("1"), Csv(["passengers"], "sales", 3)));
    }

    [Fact]
    public void SeriesShorterThanOneWindowSaysHowManyRowsAreNeeded()
    {
        string message = ErrorOf("month,passengers\na,1\nb,2\nc,3\n", Csv(["passengers"], "passengers", 3, horizon: 2));

        Assert.Equal("passengers.csv: 3 data rows are too few for one window: timesteps 3 + horizon 2 needs at least 5 rows", message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var config = Run(Csv(["v"], "v", 3) with { Path = "absent.csv" }, folder.Path);

        var error = Assert.Throws<InputException>(() => DatasetLoader.Load(config));

        Assert.Equal($"data file not found: {Path.Combine(folder.Path, "absent.csv")}", error.Message);
    }

    [Fact]
    public void ColumnCountNotMatchingInputSizeIsRejected()
    {
        folder.Write("passengers.csv", Passengers("1"));
        var config = Run(Csv(["month", "passengers"], "passengers", 3) with { Path = "passengers.csv" }, folder.Path, inputSize: 1);

        var error = Assert.Throws<InputException>(() => DatasetLoader.Load(config));

        Assert.Equal("data.columns gives 2 features per timestep but model.inputSize is 1", error.Message);
    }

    [Fact]
    public void ValidationSplitLeavingNoTrainingWindowIsRejected()
    {
        string message = ErrorOf("month,passengers\na,1\nb,2\nc,3\n", Csv(["passengers"], "passengers", 2, split: 0.5f));

        Assert.Equal("data.validationSplit 0.5 of 1 windows leaves none to train on; lower it or provide more data", message);
    }

    [Fact]
    public void RowEndingBeforeTheColumnIsRejected()
    {
        Assert.Equal("passengers.csv line 3: column \"passengers\": the row ends before this column", ErrorOf("month,passengers\na,1\nb\nc,3\nd,4\n"));
    }
}

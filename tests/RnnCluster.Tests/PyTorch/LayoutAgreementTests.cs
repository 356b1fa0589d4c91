namespace RnnCluster.Tests.PyTorch;

public class LayoutAgreementTests
{
    [Theory]
    [MemberData(nameof(PyTorchCase.All), MemberType = typeof(PyTorchCase))]
    public void Every_tensor_has_the_name_and_shape_pytorch_gives_it(string caseName)
    {
        var fixture = PyTorchCase.Load(caseName);
        var pytorchNames = fixture.Safetensors.Tensors.Select(t => t.Name).Where(name => name.StartsWith("layers.", StringComparison.Ordinal)).Order();
        Assert.Equal(pytorchNames, fixture.Network.Layout.Slots.Select(slot => slot.Name).Order());
        foreach (var slot in fixture.Network.Layout.Slots)
            Assert.Equal(fixture.Safetensors.Get(slot.Name).Shape, slot.Shape);
    }
}

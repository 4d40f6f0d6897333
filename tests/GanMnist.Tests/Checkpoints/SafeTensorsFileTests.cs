using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using GanMnist.Checkpoints;
using GanMnist.Runtime;

namespace GanMnist.Tests.Checkpoints;

public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string PathOf(string name) => Path.Combine(_folder.Path, name);

    /// <summary>A file built byte by byte from the specification, independent of our writer.</summary>
    private string HandBuilt(string header, byte[] data, string name = "hand.safetensors", ulong? declaredLength = null)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, declaredLength ?? (ulong)headerBytes.Length);
        return _folder.Write(name, [.. length, .. headerBytes, .. data]);
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void RoundTrip_EveryDtype_KeepsValuesShapesAndMetadata()
    {
        using var scope = NewDisposeScope();
        var f32 = tensor(new float[] { 1.5f, -2, 3.25f, 0 }, 2, 2);
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = f32,
            ["f64"] = tensor(new[] { Math.PI, -1e300 }),
            ["f16"] = f32.to(ScalarType.Float16),
            ["bf16"] = f32.to(ScalarType.BFloat16),
            ["u8"] = tensor(new byte[] { 0, 7, 255 }),
            ["i8"] = tensor(new long[] { -128, 127 }).to(ScalarType.Int8),
            ["i16"] = tensor(new long[] { -30000, 2 }).to(ScalarType.Int16),
            ["i32"] = tensor(new[] { int.MinValue, 5 }),
            ["i64"] = tensor(new[] { long.MaxValue, -1L }),
            ["bool"] = tensor(new[] { true, false, true }),
            ["scalar"] = tensor(2.5),
            ["empty"] = zeros([0, 3]),
        };
        var path = PathOf("all.safetensors");

        SafeTensorsFile.Write(path, tensors, new Dictionary<string, string> { ["note"] = "héllo", ["epoch"] = "3" });
        using var read = SafeTensorsFile.Read(path);

        read.Tensors.Keys.Should().BeEquivalentTo(tensors.Keys);
        foreach (var (name, t) in tensors)
        {
            read.Tensors[name].dtype.Should().Be(t.dtype, name);
            read.Tensors[name].shape.Should().Equal(t.shape, name);
            read.Tensors[name].Equals(t).Should().BeTrue(name);
        }

        read.Metadata.Should().Equal(new Dictionary<string, string> { ["note"] = "héllo", ["epoch"] = "3" });
    }

    [Fact]
    public void Write_FollowsTheSpecification_AsAnIndependentParserReadsIt()
    {
        using var scope = NewDisposeScope();
        var path = PathOf("spec.safetensors");
        SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["w"] = tensor(new float[] { 1, 2, 3 }), ["n"] = tensor(new long[] { 9 }) },
            new Dictionary<string, string> { ["k"] = "v" });

        var bytes = File.ReadAllBytes(path);
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        (8 + n).Should().Be(((8 + n) / 8) * 8, "the header is padded to 8 bytes");
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, n));
        header.RootElement.GetProperty("__metadata__").GetProperty("k").GetString().Should().Be("v");
        var w = header.RootElement.GetProperty("w");
        w.GetProperty("dtype").GetString().Should().Be("F32");
        w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(3);
        var offsets = w.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        bytes.AsSpan(8 + n + offsets[0], offsets[1] - offsets[0]).ToArray().Should().Equal(Floats(1, 2, 3));
        header.RootElement.GetProperty("n").GetProperty("dtype").GetString().Should().Be("I64");
        bytes.Length.Should().Be(8 + n + 12 + 8);
    }

    [Fact]
    public void Read_HandBuiltFile_LoadsItsTensorsAndMetadata()
    {
        using var scope = NewDisposeScope();
        var path = HandBuilt(
            """{"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""",
            [.. Floats(0.5f, -4), .. BitConverter.GetBytes(42L)]);

        using var content = SafeTensorsFile.Read(path);

        content.Tensors["a"].ToArray<float>().Should().Equal(0.5f, -4);
        content.Tensors["b"].dim().Should().Be(0);
        content.Tensors["b"].item<long>().Should().Be(42);
        content.Metadata["format"].Should().Be("pt");
    }

    public static TheoryData<string, string, byte[], ulong?, string> Malformed => new()
    {
        { "truncated", "", [], null, "is truncated: 0 bytes, shorter than the 8-byte header length" },
        { "past end", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", Floats(1), 5000UL, "declares a header of 5000 bytes, which runs past the end of the file (*)" },
        { "over cap", "{}", [], 200_000_000UL, "declares a header of 200000000 bytes, over the cap of 100000000" },
        { "not json", "{not json", [], null, "has a header that is not valid JSON (*)" },
        { "not object", "[1,2]", [], null, "has a header that is not a JSON object (it must start with '{')" },
        { "dtype", """{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}""", new byte[16], null, "gives tensor 'a' the unknown dtype 'F128' (known: *)" },
        { "overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8], null, "has overlapping tensors: 'b' starts at byte 4, inside 'a' (which ends at 8)" },
        { "gap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", new byte[12], null, "leaves a gap: tensor 'b' starts at byte 8 but tensor 'a' ends at 4" },
        { "trailing", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[6], null, "has 2 trailing bytes after the last tensor" },
        { "short data", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", new byte[4], null, "is truncated: tensor 'a' ends at byte 8 of the data, which has only 4" },
        { "duplicate", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8], null, "names 'a' twice in its header" },
        { "length", """{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,12]}}""", new byte[12], null, "gives tensor 'a' 12 bytes, but a [2, 3] F32 tensor has 24" },
        { "metadata", """{"__metadata__":{"epoch":3}}""", [], null, "has a __metadata__ value for 'epoch' that is not a string" },
        { "negative shape", """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", new byte[4], null, "gives tensor 'a' a shape entry that is not a non-negative integer (-1)" },
        { "offsets", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", new byte[4], null, "gives tensor 'a' no valid data_offsets (an array of 2 non-negative integers)" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_MalformedFile_ThrowsNamingTheFileAndTheProblem(string name, string header, byte[] data, ulong? declaredLength, string problem)
    {
        var path = name == "truncated" ? _folder.Write("t.safetensors", Array.Empty<byte>()) : HandBuilt(header, data, name.Replace(' ', '_') + ".safetensors", declaredLength);

        var act = () => SafeTensorsFile.Read(path).Dispose();

        act.Should().Throw<InvalidDataException>().WithMessage($"Safetensors file '{path}' {problem}.");
    }

    [Fact]
    public void Read_HeaderNotUtf8_IsRejected()
    {
        var path = _folder.Write("utf8.safetensors", [4, 0, 0, 0, 0, 0, 0, 0, (byte)'{', 0xC3, 0x28, (byte)'}']);

        var act = () => SafeTensorsFile.Read(path).Dispose();

        act.Should().Throw<InvalidDataException>().WithMessage($"Safetensors file '{path}' has a header that is not valid UTF-8.");
    }

    [Fact]
    public void Write_FailingBetweenWriteAndRename_LeavesThePreviousFileIntactAndNoTemporary()
    {
        using var scope = NewDisposeScope();
        var path = PathOf("ckpt.safetensors");
        SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["x"] = tensor(new float[] { 1, 2 }) });

        var act = () => SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["x"] = tensor(new float[] { 9, 9, 9 }) }, null,
            beforeRename: () => throw new IOException("simulated crash"));

        act.Should().Throw<IOException>().WithMessage("Could not write '*ckpt.safetensors' (simulated crash); the file as it was before is unchanged.");
        using var content = SafeTensorsFile.Read(path);
        content.Tensors["x"].ToArray<float>().Should().Equal(1, 2);
        Directory.GetFiles(_folder.Path).Should().ContainSingle();
    }

    [Fact]
    public void Write_RepeatedName_IsRejected()
    {
        using var scope = NewDisposeScope();
        var x = zeros([1]);

        var act = () => SafeTensorsFile.Write(PathOf("dup.safetensors"), [KeyValuePair.Create("x", x), KeyValuePair.Create("x", x)]);

        act.Should().Throw<ArgumentException>().WithMessage("Tensor name 'x' is empty, reserved or repeated.*");
    }
}

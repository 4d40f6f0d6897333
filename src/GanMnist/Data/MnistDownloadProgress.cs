namespace GanMnist.Data;

/// <summary>Progress of one MNIST file's download.</summary>
/// <param name="FileName">The file being downloaded, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
/// <param name="Source">The address it comes from.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The announced size, when the server gave one.</param>
public sealed record MnistDownloadProgress(string FileName, Uri Source, long BytesReceived, long? TotalBytes);

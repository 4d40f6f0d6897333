namespace GanMnist.Evaluation;

/// <summary>
/// Eigendecomposition of a real symmetric matrix by the cyclic Jacobi method, in float64: A = V·diag(λ)·Vᵀ
/// with orthonormal V. Quadratically convergent; accurate to a few ulps of the largest eigenvalue, which is
/// what the Fréchet distance's matrix square root needs (128x128 takes a few milliseconds).
/// </summary>
internal static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>The eigenvalues (unordered) and the eigenvectors as the columns of an n x n row-major array.</summary>
    /// <exception cref="ArgumentException">The matrix is not square, not symmetric, or holds a non-finite value.</exception>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (matrix.Length != n * n)
        {
            throw new ArgumentException($"Expected {n}x{n} = {n * n} values, got {matrix.Length}.", nameof(matrix));
        }

        var a = matrix.ToArray();
        double scale = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!double.IsFinite(a[i]))
            {
                throw new ArgumentException($"The matrix holds a non-finite value ({a[i]}) at ({i / n}, {i % n}).", nameof(matrix));
            }

            scale = Math.Max(scale, Math.Abs(a[i]));
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (Math.Abs(a[(i * n) + j] - a[(j * n) + i]) > 1e-9 * Math.Max(scale, double.Epsilon))
                {
                    throw new ArgumentException($"The matrix is not symmetric: ({i}, {j}) is {a[(i * n) + j]} but ({j}, {i}) is {a[(j * n) + i]}.", nameof(matrix));
                }
            }
        }

        var v = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            v[(i * n) + i] = 1;
        }

        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0;
            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    off += a[(p * n) + q] * a[(p * n) + q];
                }
            }

            if (off <= double.Epsilon || Math.Sqrt(off) <= 1e-15 * Math.Max(scale, double.Epsilon))
            {
                break;
            }

            for (var p = 0; p < n - 1; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    Rotate(a, v, n, p, q);
                }
            }
        }

        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = a[(i * n) + i];
        }

        return (values, v);
    }

    /// <summary>Zeroes a[p, q] with one Jacobi rotation applied on both sides of a, and accumulates it into v.</summary>
    private static void Rotate(double[] a, double[] v, int n, int p, int q)
    {
        var apq = a[(p * n) + q];
        if (apq == 0)
        {
            return;
        }

        var app = a[(p * n) + p];
        var aqq = a[(q * n) + q];
        // tan of the rotation angle: the smaller root of t² + 2θt - 1 = 0, θ = (aqq - app) / (2 apq).
        var theta = (aqq - app) / (2 * apq);
        var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
        var c = 1 / Math.Sqrt((t * t) + 1);
        var s = t * c;
        for (var k = 0; k < n; k++)
        {
            var akp = a[(k * n) + p];
            var akq = a[(k * n) + q];
            a[(k * n) + p] = (c * akp) - (s * akq);
            a[(k * n) + q] = (s * akp) + (c * akq);
        }

        for (var k = 0; k < n; k++)
        {
            var apk = a[(p * n) + k];
            var aqk = a[(q * n) + k];
            a[(p * n) + k] = (c * apk) - (s * aqk);
            a[(q * n) + k] = (s * apk) + (c * aqk);
        }

        a[(p * n) + q] = 0;
        a[(q * n) + p] = 0;
        for (var k = 0; k < n; k++)
        {
            var vkp = v[(k * n) + p];
            var vkq = v[(k * n) + q];
            v[(k * n) + p] = (c * vkp) - (s * vkq);
            v[(k * n) + q] = (s * vkp) + (c * vkq);
        }
    }
}

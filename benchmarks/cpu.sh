# Sourced by the benchmark scripts: cpu_flags holds /proc/cpuinfo's flags, has_flag FLAG tests one, and print_cpu
# prints the CPU model, its core count and the flags that decide float32 and bfloat16 speed.
cpu_flags=$(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2)
has_flag() { [[ " $cpu_flags " == *" $1 "* ]]; }
print_cpu() {
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; flags:$(for f in avx2 fma avx512f avx512_bf16 avx512_fp16 amx_tile amx_bf16; do has_flag "$f" && printf ' %s' "$f"; done)"
}

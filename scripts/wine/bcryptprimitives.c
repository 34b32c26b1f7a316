/* A stand-in for Windows' bcryptprimitives.dll, for running Rust test
 * programs under wine 8 (Debian 12), which lacks it: Rust's standard
 * library (1.78 and later) takes its random bytes from ProcessPrng there.
 * This ProcessPrng asks advapi32's RtlGenRandom (SystemFunction036), which
 * wine has. Built by scripts/test-windows.sh with mingw-w64; never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}

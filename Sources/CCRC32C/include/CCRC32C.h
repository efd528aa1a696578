#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `n` bytes, continuing from `crc`
/// (0 for a fresh checksum; the pre- and post-inversion happen inside). Uses the SSE4.2 crc32
/// instruction when the CPU has it, slicing-by-8 tables otherwise.
uint32_t ccrc32c_extend(uint32_t crc, const void *data, size_t n);

/// The same, always through the slicing-by-8 tables (for tests and CPUs without SSE4.2).
uint32_t ccrc32c_extend_portable(uint32_t crc, const void *data, size_t n);

/// 1 when ccrc32c_extend uses the hardware instruction.
int ccrc32c_hardware_available(void);

#endif

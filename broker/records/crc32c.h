/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of Kafka record batches.
 * Reflected polynomial 0x82F63B78; crc32c(0, "123456789", 9) == 0xE3069283.
 * Uses the SSE4.2 crc32 instruction when the CPU has it, a slicing table
 * otherwise; the first call picks the implementation (under pthread_once).
 * Pure functions: @locality any thread, @locks none.
 */
#ifndef CONNECTD_CRC32C_H
#define CONNECTD_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a running CRC: pass 0 to start. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif

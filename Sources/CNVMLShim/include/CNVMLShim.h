#ifndef CNVML_SHIM_H
#define CNVML_SHIM_H
#include <stddef.h>

/// NVML, loaded at run time with dlopen, so trainscope builds and runs on machines without it.
/// The structures below copy nvml.h's layouts (nvmlUtilization_t, nvmlMemory_t); the return codes
/// are nvmlReturn_t values (0 is NVML_SUCCESS). Only the calls the GPU collector needs are bound.

typedef struct cnvml_utilization {
    unsigned int gpu;     /* percent of time a kernel ran, over the driver's sample period */
    unsigned int memory;  /* percent of time device memory was read or written */
} cnvml_utilization;

typedef struct cnvml_memory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} cnvml_memory;

typedef struct cnvml_library cnvml_library;

/// Opens `path` (e.g. "libnvidia-ml.so.1") and resolves every symbol. Returns NULL on failure with
/// dlerror's text (or the missing symbol's name) in `error`.
cnvml_library *cnvml_open(const char *path, char *error, size_t error_length);
void cnvml_close(cnvml_library *library);

int cnvml_init(cnvml_library *library);
int cnvml_shutdown(cnvml_library *library);
int cnvml_device_count(cnvml_library *library, unsigned int *count);
int cnvml_device_handle(cnvml_library *library, unsigned int index, void **device);
int cnvml_device_utilization(cnvml_library *library, void *device, cnvml_utilization *utilization);
int cnvml_device_memory(cnvml_library *library, void *device, cnvml_memory *memory);
/// nvmlErrorString's text for `code`; never NULL.
const char *cnvml_error_string(cnvml_library *library, int code);

#endif

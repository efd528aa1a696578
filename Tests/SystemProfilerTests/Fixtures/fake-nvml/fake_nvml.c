/* A stand-in for libnvidia-ml.so.1 with the entry points trainscope's GPU collector binds, and
 * the layouts of nvml.h. The tests build it with `cc -shared -fPIC` and point
 * TRAINSCOPE_NVML_LIBRARY at it. Behaviour, from the environment, with defaults that -D can set
 * at compile time (the tests build one library per behaviour, since the environment is shared by
 * tests running in parallel, and each file is a separately loaded library):
 *   FAKE_NVML_DEVICES      device count (default 2)
 *   FAKE_NVML_INIT_ERROR   nvmlInit_v2's return code (default 0, NVML_SUCCESS)
 *   FAKE_NVML_FAIL_AFTER   nvmlDeviceGetUtilizationRates fails (NVML_ERROR_GPU_IS_LOST, 15)
 *                          after this many successful calls (default -1: never)
 * Device i reports utilization.gpu = (37 + 25 i) % 101, utilization.memory = 11 (i + 1),
 * 80 GiB of memory of which 12 GiB × (i + 1) are used. */
#include <stdlib.h>

#ifndef FAKE_NVML_DEVICES
#define FAKE_NVML_DEVICES 2
#endif
#ifndef FAKE_NVML_INIT_ERROR
#define FAKE_NVML_INIT_ERROR 0
#endif
#ifndef FAKE_NVML_FAIL_AFTER
#define FAKE_NVML_FAIL_AFTER -1
#endif

typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;
typedef struct nvmlDevice_st *nvmlDevice_t;

static struct nvmlDevice_st { int index; } devices[64];
/* Reference-counted, as real NVML's nvmlInit/nvmlShutdown are: two users in one process do not
 * shut each other out. */
static int initialized;
static long calls;

static long env(const char *name, long fallback) {
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : fallback;
}

int nvmlInit_v2(void) {
    int rc = (int)env("FAKE_NVML_INIT_ERROR", FAKE_NVML_INIT_ERROR);
    if (rc == 0) initialized++;
    return rc;
}

int nvmlShutdown(void) {
    if (!initialized) return 1; /* NVML_ERROR_UNINITIALIZED */
    initialized--;
    return 0;
}

int nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialized) return 1;
    long n = env("FAKE_NVML_DEVICES", FAKE_NVML_DEVICES);
    *count = (unsigned int)(n < 0 ? 0 : n > 64 ? 64 : n);
    return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!initialized) return 1;
    if (index >= 64) return 2; /* NVML_ERROR_INVALID_ARGUMENT */
    devices[index].index = (int)index;
    *device = &devices[index];
    return 0;
}

int nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
    if (!initialized) return 1;
    long limit = env("FAKE_NVML_FAIL_AFTER", FAKE_NVML_FAIL_AFTER);
    if (limit >= 0 && calls >= limit) return 15; /* NVML_ERROR_GPU_IS_LOST */
    calls++;
    utilization->gpu = (unsigned int)((37 + 25 * device->index) % 101);
    utilization->memory = (unsigned int)(11 * (device->index + 1));
    return 0;
}

int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    if (!initialized) return 1;
    memory->total = 80ULL << 30;
    memory->used = 12ULL * (unsigned long long)(device->index + 1) << 30;
    memory->free = memory->total - memory->used;
    return 0;
}

const char *nvmlErrorString(int result) {
    switch (result) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    default: return "Unknown Error";
    }
}

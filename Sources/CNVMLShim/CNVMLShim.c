#include "CNVMLShim.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*init_fn)(void);
typedef int (*shutdown_fn)(void);
typedef int (*count_fn)(unsigned int *);
typedef int (*handle_fn)(unsigned int, void **);
typedef int (*utilization_fn)(void *, cnvml_utilization *);
typedef int (*memory_fn)(void *, cnvml_memory *);
typedef const char *(*error_string_fn)(int);

struct cnvml_library {
    void *handle;
    init_fn init;
    shutdown_fn shutdown;
    count_fn count;
    handle_fn device_handle;
    utilization_fn utilization;
    memory_fn memory;
    error_string_fn error_string;
};

static void *resolve(void *handle, const char *name, int *missing, char *error, size_t length) {
    void *symbol = dlsym(handle, name);
    if (symbol == NULL && !*missing) {
        *missing = 1;
        snprintf(error, length, "symbol %s not found", name);
    }
    return symbol;
}

cnvml_library *cnvml_open(const char *path, char *error, size_t error_length) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(error, error_length, "%s", why ? why : "dlopen failed");
        return NULL;
    }
    cnvml_library *library = calloc(1, sizeof *library);
    if (library == NULL) {
        dlclose(handle);
        snprintf(error, error_length, "out of memory");
        return NULL;
    }
    int missing = 0;
    library->handle = handle;
    /* The _v2 entry points are the ones nvml.h maps the plain names to since CUDA 5. */
    library->init = (init_fn)resolve(handle, "nvmlInit_v2", &missing, error, error_length);
    library->shutdown = (shutdown_fn)resolve(handle, "nvmlShutdown", &missing, error, error_length);
    library->count = (count_fn)resolve(handle, "nvmlDeviceGetCount_v2", &missing, error, error_length);
    library->device_handle = (handle_fn)resolve(handle, "nvmlDeviceGetHandleByIndex_v2", &missing, error, error_length);
    library->utilization = (utilization_fn)resolve(handle, "nvmlDeviceGetUtilizationRates", &missing, error, error_length);
    library->memory = (memory_fn)resolve(handle, "nvmlDeviceGetMemoryInfo", &missing, error, error_length);
    library->error_string = (error_string_fn)resolve(handle, "nvmlErrorString", &missing, error, error_length);
    if (missing) {
        cnvml_close(library);
        return NULL;
    }
    return library;
}

void cnvml_close(cnvml_library *library) {
    if (library == NULL) return;
    dlclose(library->handle);
    free(library);
}

int cnvml_init(cnvml_library *library) { return library->init(); }
int cnvml_shutdown(cnvml_library *library) { return library->shutdown(); }
int cnvml_device_count(cnvml_library *library, unsigned int *count) { return library->count(count); }

int cnvml_device_handle(cnvml_library *library, unsigned int index, void **device) {
    return library->device_handle(index, device);
}

int cnvml_device_utilization(cnvml_library *library, void *device, cnvml_utilization *utilization) {
    return library->utilization(device, utilization);
}

int cnvml_device_memory(cnvml_library *library, void *device, cnvml_memory *memory) {
    return library->memory(device, memory);
}

const char *cnvml_error_string(cnvml_library *library, int code) {
    const char *text = library->error_string(code);
    return text ? text : "unknown NVML error";
}

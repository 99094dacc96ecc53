/* Ahwa kernel interface: the operands every kernel takes and the registry of a deployment's kernels
   (generated as ahwa_kernels.c), so the test bench can call any kernel by its symbol. */
#ifndef AHWA_KERNELS_H
#define AHWA_KERNELS_H

#include <stdint.h>

/* Operands in main memory; the kernel's header gives the shapes. FP16 values are IEEE binary16 bit patterns. */
typedef struct {
    int num_tokens;
    const int16_t *codes;        /* [BLOCKS][num_tokens][OUT] ADC codes */
    const float *input_scale;    /* [BLOCKS][num_tokens] abs-max x bound-management factor */
    const float *column_scale;   /* [OUT] weight scale x output scale x drift compensation */
    const uint16_t *bias;        /* [OUT] FP16 */
    const uint16_t *x;           /* [num_tokens][IN] FP16 layer input */
    const uint16_t *lora_a;      /* [IN][RANK] FP16 */
    const uint16_t *lora_b;      /* [RANK][OUT] FP16 */
    uint16_t *y;                 /* [num_tokens][OUT] FP16 output */
} ahwa_kernel_args;

typedef void (*ahwa_forward_fn)(const ahwa_kernel_args *args, int num_cores);
typedef void (*ahwa_naive_forward_fn)(const ahwa_kernel_args *args);

/* One kernel: its symbol, the shape and constants a case file must match, and its two entry points. */
typedef struct {
    const char *symbol;
    int in_features;
    int out_features;
    int rank;
    int blocks;
    float adc_step;
    float lora_scale;
    ahwa_forward_fn forward;
    ahwa_naive_forward_fn naive_forward;
} ahwa_kernel_entry;

/* Every kernel of the deployment, ended by an entry whose symbol is 0. */
extern const ahwa_kernel_entry ahwa_kernels[];

#endif /* AHWA_KERNELS_H */

/* Ahwa kernel test bench (HTVM/Deeploy style): runs every case of a case list and prints how many output
   elements differ from the golden output the managed reference computed. The digital path is specified
   bit for bit (docs/arithmetic-contract.md), so every count should be 0.

   Case list (ahwa_cases.txt in the working folder, or -DAHWA_CASE_LIST="path"; not argv, which semihosting
   fills with the program's own path): one line per case,
       <kernel symbol> <case file> <cores> <check naive 0|1>
   Case file: a header of 32 little-endian uint32 words, then the operands, each 8-byte aligned:
       0 magic 0x41485741, 1 version 1, 2 tokens, 3 in, 4 out, 5 rank, 6 blocks,
       7 ADC step (FP32 bits), 8 LoRA scale (FP32 bits),
       9..16 byte offsets of codes, input_scale, column_scale, bias, x, lora_a, lora_b, expected y,
       17 file size.
   Output: "AHWA_CASE <index> <differences> <first differing element or -1> <naive differences>" per case,
   then "AHWA_DONE"; "AHWA_ERROR ..." and exit code 2 on a malformed case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ahwa_kernels.h"

#ifndef AHWA_CASE_LIST
#define AHWA_CASE_LIST "ahwa_cases.txt"
#endif

#define CASE_MAGIC 0x41485741u
#define CASE_VERSION 1u
#define CASE_HEADER_WORDS 32

enum { W_MAGIC, W_VERSION, W_TOKENS, W_IN, W_OUT, W_RANK, W_BLOCKS, W_ADC_STEP, W_LORA_SCALE,
       W_CODES, W_INPUT_SCALE, W_COLUMN_SCALE, W_BIAS, W_X, W_LORA_A, W_LORA_B, W_EXPECTED, W_SIZE };

static void fail(const char *what, const char *name)
{
    printf("AHWA_ERROR %s %s\n", what, name);
    exit(2);
}

static uint8_t *read_file(const char *path, long *size)
{
    FILE *file = fopen(path, "rb");
    uint8_t *data;
    if (!file) fail("cannot open", path);
    fseek(file, 0, SEEK_END);
    *size = ftell(file);
    fseek(file, 0, SEEK_SET);
    /* malloc's alignment (at least 8) keeps every 8-byte aligned operand aligned. */
    data = (uint8_t *)malloc((size_t)*size + 8);
    if (!data || fread(data, 1, (size_t)*size, file) != (size_t)*size) fail("cannot read", path);
    fclose(file);
    return data;
}

static const ahwa_kernel_entry *find_kernel(const char *symbol)
{
    const ahwa_kernel_entry *k;
    for (k = ahwa_kernels; k->symbol; k++)
        if (strcmp(k->symbol, symbol) == 0) return k;
    fail("no kernel named", symbol);
    return 0;
}

static uint32_t float_bits(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return bits;
}

/* The case must be for this kernel: same shape and the same constants, bit for bit. */
static void check_header(const uint32_t *h, long size, const ahwa_kernel_entry *k, const char *path)
{
    int w;
    if (size < 4 * CASE_HEADER_WORDS || h[W_MAGIC] != CASE_MAGIC || h[W_VERSION] != CASE_VERSION || (long)h[W_SIZE] != size)
        fail("not a version 1 case file:", path);
    if (h[W_IN] != (uint32_t)k->in_features || h[W_OUT] != (uint32_t)k->out_features || h[W_RANK] != (uint32_t)k->rank ||
        h[W_BLOCKS] != (uint32_t)k->blocks || h[W_ADC_STEP] != float_bits(k->adc_step) || h[W_LORA_SCALE] != float_bits(k->lora_scale))
        fail("case does not match the kernel's shape and constants:", path);
    for (w = W_CODES; w <= W_EXPECTED; w++)
        if (h[w] % 8u != 0u || (long)h[w] > size) fail("operand offset out of range in", path);
}

static int count_differences(const uint16_t *actual, const uint16_t *expected, long n, long *first)
{
    long i;
    int differences = 0;
    *first = -1;
    for (i = 0; i < n; i++)
        if (actual[i] != expected[i]) { if (*first < 0) *first = i; differences++; }
    return differences;
}

/* Runs one case and prints its result line. */
static void run_case(int index, const char *symbol, const char *path, int cores, int check_naive)
{
    const ahwa_kernel_entry *k = find_kernel(symbol);
    long size, first = -1, naive_first = -1, outputs;
    uint8_t *data = read_file(path, &size);
    uint32_t h[CASE_HEADER_WORDS];
    ahwa_kernel_args args;
    uint16_t *y;
    const uint16_t *expected;
    int differences, naive_differences = 0;
    memcpy(h, data, sizeof h);
    check_header(h, size, k, path);
    outputs = (long)h[W_TOKENS] * k->out_features;
    y = (uint16_t *)malloc((size_t)outputs * 2 + 2);
    if (!y) fail("out of memory for", path);
    args.num_tokens = (int)h[W_TOKENS];
    args.codes = (const int16_t *)(data + h[W_CODES]);
    args.input_scale = (const float *)(data + h[W_INPUT_SCALE]);
    args.column_scale = (const float *)(data + h[W_COLUMN_SCALE]);
    args.bias = (const uint16_t *)(data + h[W_BIAS]);
    args.x = (const uint16_t *)(data + h[W_X]);
    args.lora_a = (const uint16_t *)(data + h[W_LORA_A]);
    args.lora_b = (const uint16_t *)(data + h[W_LORA_B]);
    args.y = y;
    expected = (const uint16_t *)(data + h[W_EXPECTED]);
    k->forward(&args, cores);
    differences = count_differences(y, expected, outputs, &first);
    if (check_naive) {
        k->naive_forward(&args);
        naive_differences = count_differences(y, expected, outputs, &naive_first);
    }
    printf("AHWA_CASE %d %d %ld %d\n", index, differences, first, naive_differences);
    free(y);
    free(data);
}

int main(void)
{
    const char *list_path = AHWA_CASE_LIST;
    char symbol[128], path[256];
    int cores, check_naive, index = 0, fields;
    FILE *list = fopen(list_path, "r");
    if (!list) fail("cannot open", list_path);
    while ((fields = fscanf(list, "%127s %255s %d %d", symbol, path, &cores, &check_naive)) == 4)
        run_case(index++, symbol, path, cores, check_naive);
    if (fields != EOF) fail("malformed line in", list_path);
    fclose(list);
    printf("AHWA_DONE\n");
    return 0;
}

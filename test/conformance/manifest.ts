// The ONNX node-test allow-list (data: Debian's libonnx-testdata, ONNX 1.12).
//
// Rule: every case under DATA_DIR whose model uses only ops Rampart supports
// (runtime/ops/groups.ts SUPPORTED_OPS) is either in ALLOW (it must pass, on every
// backend) or in EXCLUDE with the reason. conformance.test.ts enforces the rule, so a
// new supported op without its cases, or a stale entry, fails the suite.
// Adding an op: its kernel file, one line in runtime/ops/index.ts, its cases here.

export const DATA_DIR = '/usr/share/libonnx-testdata/data/node';

/** Op -> cases that must pass. A case sits under the op it exists to test. */
export const ALLOW: Record<string, readonly string[]> = {
  Gemm: [
    'test_gemm_all_attributes', 'test_gemm_alpha', 'test_gemm_beta', 'test_gemm_default_matrix_bias',
    'test_gemm_default_no_bias', 'test_gemm_default_scalar_bias', 'test_gemm_default_single_elem_vector_bias',
    'test_gemm_default_vector_bias', 'test_gemm_default_zero_bias', 'test_gemm_transposeA', 'test_gemm_transposeB',
  ],
  MatMul: ['test_matmul_2d', 'test_matmul_3d', 'test_matmul_4d'],
  Add: ['test_add', 'test_add_bcast', 'test_add_uint8'],
  Sub: ['test_sub', 'test_sub_bcast', 'test_sub_example', 'test_sub_uint8'],
  Mul: ['test_mul', 'test_mul_bcast', 'test_mul_example', 'test_mul_uint8'],
  Div: ['test_div', 'test_div_bcast', 'test_div_example', 'test_div_uint8'],
  Conv: [
    'test_basic_conv_with_padding', 'test_basic_conv_without_padding', 'test_conv_with_autopad_same',
    'test_conv_with_strides_and_asymmetric_padding', 'test_conv_with_strides_no_padding',
    'test_conv_with_strides_padding',
  ],
  BatchNormalization: ['test_batchnorm_epsilon', 'test_batchnorm_example'],
  Relu: ['test_relu'],
  LeakyRelu: ['test_leakyrelu', 'test_leakyrelu_default', 'test_leakyrelu_example'],
  Sigmoid: ['test_sigmoid', 'test_sigmoid_example'],
  HardSigmoid: [
    'test_hardsigmoid', 'test_hardsigmoid_default', 'test_hardsigmoid_example',
    // HardSwish expanded into its function body: HardSigmoid then Mul.
    'test_hardswish_expanded',
  ],
  HardSwish: ['test_hardswish'],
  Tanh: ['test_tanh', 'test_tanh_example'],
  Erf: ['test_erf'],
  Where: ['test_where_example', 'test_where_long_example'],
  Expand: ['test_expand_dim_changed', 'test_expand_dim_unchanged'],
  ReduceMean: [
    'test_reduce_mean_default_axes_keepdims_example', 'test_reduce_mean_default_axes_keepdims_random',
    'test_reduce_mean_do_not_keepdims_example', 'test_reduce_mean_do_not_keepdims_random',
    'test_reduce_mean_keepdims_example', 'test_reduce_mean_keepdims_random',
    'test_reduce_mean_negative_axes_keepdims_example', 'test_reduce_mean_negative_axes_keepdims_random',
  ],
  LayerNormalization: [
    'test_layer_normalization_2d_axis0', 'test_layer_normalization_2d_axis1', 'test_layer_normalization_2d_axis_negative_1',
    'test_layer_normalization_2d_axis_negative_2', 'test_layer_normalization_3d_axis0_epsilon',
    'test_layer_normalization_3d_axis1_epsilon', 'test_layer_normalization_3d_axis2_epsilon',
    'test_layer_normalization_3d_axis_negative_1_epsilon', 'test_layer_normalization_3d_axis_negative_2_epsilon',
    'test_layer_normalization_3d_axis_negative_3_epsilon', 'test_layer_normalization_4d_axis0',
    'test_layer_normalization_4d_axis1', 'test_layer_normalization_4d_axis2', 'test_layer_normalization_4d_axis3',
    'test_layer_normalization_4d_axis_negative_1', 'test_layer_normalization_4d_axis_negative_2',
    'test_layer_normalization_4d_axis_negative_3', 'test_layer_normalization_4d_axis_negative_4',
    'test_layer_normalization_default_axis',
  ],
  Resize: [
    'test_resize_downsample_scales_cubic', 'test_resize_downsample_scales_cubic_A_n0p5_exclude_outside',
    'test_resize_downsample_scales_cubic_align_corners', 'test_resize_downsample_scales_linear',
    'test_resize_downsample_scales_linear_align_corners', 'test_resize_downsample_scales_nearest',
    'test_resize_downsample_sizes_cubic', 'test_resize_downsample_sizes_linear_pytorch_half_pixel',
    'test_resize_downsample_sizes_nearest', 'test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn',
    'test_resize_tf_crop_and_resize', 'test_resize_upsample_scales_cubic',
    'test_resize_upsample_scales_cubic_A_n0p5_exclude_outside', 'test_resize_upsample_scales_cubic_align_corners',
    'test_resize_upsample_scales_cubic_asymmetric', 'test_resize_upsample_scales_linear',
    'test_resize_upsample_scales_linear_align_corners', 'test_resize_upsample_scales_nearest',
    'test_resize_upsample_sizes_cubic', 'test_resize_upsample_sizes_nearest',
    'test_resize_upsample_sizes_nearest_ceil_half_pixel', 'test_resize_upsample_sizes_nearest_floor_align_corners',
    'test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric',
  ],
  // The scatters and CumSum are also what onnx-csr's weight-rebuild bodies run on.
  ScatterElements: [
    'test_scatter_elements_with_axis', 'test_scatter_elements_with_duplicate_indices',
    'test_scatter_elements_with_negative_indices', 'test_scatter_elements_without_axis',
  ],
  Scatter: ['test_scatter_with_axis', 'test_scatter_without_axis'],
  ScatterND: ['test_scatternd', 'test_scatternd_add', 'test_scatternd_multiply'],
  CumSum: [
    'test_cumsum_1d', 'test_cumsum_1d_exclusive', 'test_cumsum_1d_reverse', 'test_cumsum_1d_reverse_exclusive',
    'test_cumsum_2d_axis_0', 'test_cumsum_2d_axis_1', 'test_cumsum_2d_negative_axis',
  ],
  Softmax: [
    'test_softmax_axis_0', 'test_softmax_axis_1', 'test_softmax_axis_2', 'test_softmax_default_axis',
    'test_softmax_example', 'test_softmax_large_number', 'test_softmax_negative_axis',
  ],
  LogSoftmax: [
    'test_logsoftmax_axis_0', 'test_logsoftmax_axis_1', 'test_logsoftmax_axis_2', 'test_logsoftmax_default_axis',
    'test_logsoftmax_example_1', 'test_logsoftmax_large_number', 'test_logsoftmax_negative_axis',
  ],
  MaxPool: [
    'test_maxpool_1d_default', 'test_maxpool_2d_ceil', 'test_maxpool_2d_default', 'test_maxpool_2d_dilations',
    'test_maxpool_2d_pads', 'test_maxpool_2d_precomputed_pads', 'test_maxpool_2d_precomputed_same_upper',
    'test_maxpool_2d_precomputed_strides', 'test_maxpool_2d_same_lower', 'test_maxpool_2d_same_upper',
    'test_maxpool_2d_strides', 'test_maxpool_2d_uint8', 'test_maxpool_3d_default',
    'test_maxpool_with_argmax_2d_precomputed_pads', 'test_maxpool_with_argmax_2d_precomputed_strides',
  ],
  AveragePool: [
    'test_averagepool_1d_default', 'test_averagepool_2d_ceil', 'test_averagepool_2d_default',
    'test_averagepool_2d_pads', 'test_averagepool_2d_pads_count_include_pad', 'test_averagepool_2d_precomputed_pads',
    'test_averagepool_2d_precomputed_pads_count_include_pad', 'test_averagepool_2d_precomputed_same_upper',
    'test_averagepool_2d_precomputed_strides', 'test_averagepool_2d_same_lower', 'test_averagepool_2d_same_upper',
    'test_averagepool_2d_strides', 'test_averagepool_3d_default',
  ],
  GlobalAveragePool: ['test_globalaveragepool', 'test_globalaveragepool_precomputed'],
  Flatten: [
    'test_flatten_axis0', 'test_flatten_axis1', 'test_flatten_axis2', 'test_flatten_axis3', 'test_flatten_default_axis',
    'test_flatten_negative_axis1', 'test_flatten_negative_axis2', 'test_flatten_negative_axis3',
    'test_flatten_negative_axis4',
  ],
  Reshape: [
    'test_reshape_allowzero_reordered', 'test_reshape_extended_dims', 'test_reshape_negative_dim',
    'test_reshape_negative_extended_dims', 'test_reshape_one_dim', 'test_reshape_reduced_dims',
    'test_reshape_reordered_all_dims', 'test_reshape_reordered_last_dims', 'test_reshape_zero_and_negative_dim',
    'test_reshape_zero_dim',
  ],
  Transpose: [
    'test_transpose_all_permutations_0', 'test_transpose_all_permutations_1', 'test_transpose_all_permutations_2',
    'test_transpose_all_permutations_3', 'test_transpose_all_permutations_4', 'test_transpose_all_permutations_5',
    'test_transpose_default',
  ],
  Squeeze: ['test_squeeze', 'test_squeeze_negative_axes'],
  Unsqueeze: [
    'test_unsqueeze_axis_0', 'test_unsqueeze_axis_1', 'test_unsqueeze_axis_2', 'test_unsqueeze_axis_3',
    'test_unsqueeze_negative_axes', 'test_unsqueeze_three_axes', 'test_unsqueeze_two_axes',
    'test_unsqueeze_unsorted_axes',
  ],
  Concat: [
    'test_concat_1d_axis_0', 'test_concat_1d_axis_negative_1', 'test_concat_2d_axis_0', 'test_concat_2d_axis_1',
    'test_concat_2d_axis_negative_1', 'test_concat_2d_axis_negative_2', 'test_concat_3d_axis_0',
    'test_concat_3d_axis_1', 'test_concat_3d_axis_2', 'test_concat_3d_axis_negative_1',
    'test_concat_3d_axis_negative_2', 'test_concat_3d_axis_negative_3',
  ],
  Slice: [
    'test_slice', 'test_slice_default_axes', 'test_slice_default_steps', 'test_slice_end_out_of_bounds',
    'test_slice_neg', 'test_slice_neg_steps', 'test_slice_negative_axes', 'test_slice_start_out_of_bounds',
  ],
  Clip: [
    'test_clip', 'test_clip_default_inbounds', 'test_clip_default_int8_inbounds', 'test_clip_default_int8_max',
    'test_clip_default_int8_min', 'test_clip_default_max', 'test_clip_default_min', 'test_clip_example',
    'test_clip_inbounds', 'test_clip_outbounds', 'test_clip_splitbounds',
  ],
  Pad: ['test_constant_pad', 'test_edge_pad', 'test_reflect_pad'],
  Gather: ['test_gather_0', 'test_gather_1', 'test_gather_2d_indices', 'test_gather_negative_indices'],
  Shape: [
    'test_shape', 'test_shape_clip_end', 'test_shape_clip_start', 'test_shape_end_1', 'test_shape_end_negative_1',
    'test_shape_example', 'test_shape_start_1', 'test_shape_start_1_end_2', 'test_shape_start_1_end_negative_1',
    'test_shape_start_negative_1',
  ],
  ConstantOfShape: ['test_constantofshape_float_ones', 'test_constantofshape_int_shape_zero', 'test_constantofshape_int_zeros'],
  Constant: ['test_constant'],
  Identity: ['test_identity'],
  Dropout: [
    'test_dropout_default', 'test_dropout_default_mask', 'test_dropout_default_mask_ratio', 'test_dropout_default_old',
    'test_dropout_default_ratio', 'test_dropout_random_old',
    // training_mode=true but ratio 0: deterministic, the identity with an all-true mask.
    'test_training_dropout_zero_ratio', 'test_training_dropout_zero_ratio_mask',
  ],
  Cast: [
    'test_cast_DOUBLE_to_FLOAT', 'test_cast_DOUBLE_to_FLOAT16', 'test_cast_FLOAT16_to_DOUBLE',
    'test_cast_FLOAT16_to_FLOAT', 'test_cast_FLOAT_to_DOUBLE', 'test_cast_FLOAT_to_FLOAT16',
    'test_cast_STRING_to_FLOAT',
    // CastLike expanded into its function body, which is a plain Cast.
    'test_castlike_DOUBLE_to_FLOAT16_expanded', 'test_castlike_DOUBLE_to_FLOAT_expanded',
    'test_castlike_FLOAT16_to_DOUBLE_expanded', 'test_castlike_FLOAT16_to_FLOAT_expanded',
    'test_castlike_FLOAT_to_DOUBLE_expanded', 'test_castlike_FLOAT_to_FLOAT16_expanded',
    'test_castlike_STRING_to_FLOAT_expanded',
  ],
  // Recurrent kernels live in runtime/ops/recurrent/; their cases live here too. The
  // *_batchwise cases (layout=1) are the outside golden for batch-first tensors:
  // onnxruntime 1.30 refuses layout 1 outright (test/recurrent/backends.test.ts checks
  // it through the layout-0 model instead).
  LSTM: ['test_lstm_batchwise', 'test_lstm_defaults', 'test_lstm_with_initial_bias', 'test_lstm_with_peepholes'],
  GRU: ['test_gru_batchwise', 'test_gru_defaults', 'test_gru_seq_length', 'test_gru_with_initial_bias'],
  RNN: ['test_rnn_seq_length', 'test_simple_rnn_batchwise', 'test_simple_rnn_defaults', 'test_simple_rnn_with_initial_bias'],
};

/** Cases that use only supported ops but are not expected to pass, each with its reason. */
export const EXCLUDE: Record<string, string> = {
  test_batchnorm_epsilon_training_mode: 'training_mode=1 (batch statistics, running-mean outputs): Rampart is an inference runtime',
  test_batchnorm_example_training_mode: 'training_mode=1 (batch statistics, running-mean outputs): Rampart is an inference runtime',
  test_cast_BFLOAT16_to_FLOAT: 'bfloat16 dtype: not in the IR (runtime/ir.ts DType)',
  test_cast_FLOAT_to_BFLOAT16: 'bfloat16 dtype: not in the IR (runtime/ir.ts DType)',
  test_castlike_BFLOAT16_to_FLOAT_expanded: 'bfloat16 dtype: not in the IR (runtime/ir.ts DType)',
  test_castlike_FLOAT_to_BFLOAT16_expanded: 'bfloat16 dtype: not in the IR (runtime/ir.ts DType)',
  test_cast_FLOAT_to_STRING: 'cast to string: the expected text is numpy\'s float32 repr; Rampart models carry no strings',
  test_castlike_FLOAT_to_STRING_expanded: 'cast to string: the expected text is numpy\'s float32 repr; Rampart models carry no strings',
  test_identity_opt: 'optional type (optional(seq(tensor))): the IR holds tensors only',
  test_identity_sequence: 'sequence type: the IR holds tensors only',
  test_training_dropout: 'training_mode=true, ratio 0.75: a random mask no reference can reproduce',
  test_training_dropout_default: 'training_mode=true, ratio 0.5: a random mask no reference can reproduce',
  test_training_dropout_default_mask: 'training_mode=true, ratio 0.5: a random mask no reference can reproduce',
  test_training_dropout_mask: 'training_mode=true, ratio 0.75: a random mask no reference can reproduce',
};

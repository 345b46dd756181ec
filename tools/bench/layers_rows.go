package main

// The layers rows (issue 12), defined with their workloads in stheno/layers.go and
// torch_layers.py.
func init() {
	rows = append(rows,
		row{"dwconv3x3_64x56", "Conv2D depthwise 3×3, 64 ch, 56×56, batch 8, fwd+bwd", 0},
		row{"dwconv3x3s2_64x56", "Conv2D depthwise 3×3 stride 2, 64 ch, 56×56, batch 8, fwd+bwd", 0},
		row{"pwconv1x1_64to128x56", "Conv2D pointwise 1×1, 64→128 ch, 56×56, batch 8, fwd+bwd", 0},
	)
}

package data_test

import (
	"bytes"
	"fmt"

	"github.com/stheno-ml/stheno/data"
)

func ExampleReadIDX() {
	var buf bytes.Buffer
	// Two 2×2 images.
	if err := data.WriteIDX(&buf, []int{2, 2, 2}, []byte{0, 255, 128, 64, 1, 2, 3, 4}); err != nil {
		panic(err)
	}
	m, err := data.ReadIDX(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Printf("magic 0x%08x dims %v data %v\n", m.Magic, m.Dims, m.Data)

	// A corrupt file is an error, never a panic.
	_, err = data.ReadIDX(bytes.NewReader([]byte{0, 0, 8, 3, 0, 0, 0, 2}))
	fmt.Println(err)
	// Output:
	// magic 0x00000803 dims [2 2 2] data [0 255 128 64 1 2 3 4]
	// truncated header: 4 of 12 bytes of dimensions
}

func ExampleBatcher() {
	// Four 1×2 "images" with labels 0..3 (a real program uses data.LoadMNIST).
	d := &data.Dataset{N: 4, Rows: 1, Cols: 2, Classes: 4,
		Pixels: []byte{0, 255, 51, 102, 0, 0, 255, 255}, Labels: []byte{0, 1, 2, 3}}
	b, err := data.NewBatcher(d, 3, data.WithNorm(data.NoNorm), data.WithShuffle(42))
	if err != nil {
		panic(err)
	}
	for epoch := range 2 {
		b.Epoch(epoch)
		for b.Next() {
			fmt.Println(epoch, b.X().Shape(), b.X().Data(), b.Labels())
		}
	}
	// Output:
	// 0 (3, 2) [1 1 0.2 0.4 0 0] [3 1 2]
	// 0 (1, 2) [0 1] [0]
	// 1 (3, 2) [0.2 0.4 0 1 0 0] [1 0 2]
	// 1 (1, 2) [1 1] [3]
}

package layers_test

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Net is the network of PyTorch's examples/mnist/main.py, line by line. Each layer is built in
// the scope of its PyTorch attribute name, so the store holds PyTorch's state_dict names
// ("conv1.weight", "fc2.bias", …) and a torch.save'd state_dict loads into it unchanged.
//
//	class Net(nn.Module):                           // type Net struct{}
//	    def __init__(self):                         // (a layer's configuration is its value)
//	        self.conv1 = nn.Conv2d(1, 32, 3, 1)     // layers.Conv2D{In: 1, Out: 32, Kernel: 3, Stride: 1}
//	        self.conv2 = nn.Conv2d(32, 64, 3, 1)    // layers.Conv2D{In: 32, Out: 64, Kernel: 3, Stride: 1}
//	        self.dropout1 = nn.Dropout(0.25)        // layers.Dropout{P: layers.Set(0.25)}
//	        self.dropout2 = nn.Dropout(0.5)         // layers.Dropout{}   (PyTorch's default p=0.5)
//	        self.fc1 = nn.Linear(9216, 128)         // layers.Linear{In: 9216, Out: 128}
//	        self.fc2 = nn.Linear(128, 10)           // layers.Linear{In: 128, Out: 10}
//
//	    def forward(self, x):                       // func (Net) Forward(b, x)
//	        x = self.conv1(x)                       // {"conv1", Conv2D}
//	        x = F.relu(x)                           // {"", ReLU}
//	        x = self.conv2(x)                       // {"conv2", Conv2D}
//	        x = F.relu(x)                           // {"", ReLU}
//	        x = F.max_pool2d(x, 2)                  // {"", MaxPool2D{Kernel: 2}}
//	        x = self.dropout1(x)                    // {"dropout1", Dropout}
//	        x = torch.flatten(x, 1)                 // {"", Flatten{}}
//	        x = self.fc1(x)                         // {"fc1", Linear}
//	        x = F.relu(x)                           // {"", ReLU}
//	        x = self.dropout2(x)                    // {"dropout2", Dropout}
//	        x = self.fc2(x)                         // {"fc2", Linear}
//	        output = F.log_softmax(x, dim=1)        // {"", LogSoftmax{}}  (unset Axis: dim 1 of (N, 10))
//	        return output
type Net struct{}

// Forward implements graph.Module.
func (Net) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	for _, l := range []struct {
		scope string // the PyTorch attribute; "" for the functional calls, which have no tensors
		m     graph.Module
	}{
		{"conv1", layers.Conv2D{In: 1, Out: 32, Kernel: 3, Stride: 1}},
		{"", layers.ReLU{}},
		{"conv2", layers.Conv2D{In: 32, Out: 64, Kernel: 3, Stride: 1}},
		{"", layers.ReLU{}},
		{"", layers.MaxPool2D{Kernel: 2}},
		{"dropout1", layers.Dropout{P: layers.Set(0.25)}},
		{"", layers.Flatten{}},
		{"fc1", layers.Linear{In: 9216, Out: 128}},
		{"", layers.ReLU{}},
		{"dropout2", layers.Dropout{}},
		{"fc2", layers.Linear{In: 128, Out: 10}},
		{"", layers.LogSoftmax{}},
	} {
		s := b
		if l.scope != "" {
			s = b.Scope(l.scope)
		}
		var err error
		if x, err = l.m.Forward(s, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// PyTorch's examples/mnist network (Net above) trained with F.nll_loss, Adadelta and StepLR. The
// training loop maps as follows:
//
//	model = Net().to(device)                        // store := graph.NewStore(tensor.Float32, seed)
//	optimizer = optim.Adadelta(model.parameters(),  // solvers.NewAdadelta(solvers.WithLearnRate(1.0),
//	                           lr=args.lr)          //
//	scheduler = StepLR(optimizer, step_size=1,      //   solvers.WithSchedule(solvers.PerEpoch(
//	                   gamma=args.gamma)            //     solvers.StepLR(1, 0.7), stepsPerEpoch)))
//	model.train()                                   // graph.NewTrainer builds Net in training mode
//	for data, target in train_loader:               // for each batch (x (64, 1, 28, 28), y (64))
//	    optimizer.zero_grad()                       // (gradients are recomputed, never accumulated)
//	    output = model(data)                        // trainer.Step(x, y) runs forward, loss,
//	    loss = F.nll_loss(output, target)           //   backward (ops.NLL as the loss) and
//	    loss.backward()                             //   the solver step
//	    optimizer.step()
//	scheduler.step()  # after each epoch            // (PerEpoch advances StepLR every stepsPerEpoch steps)
//
// Here a batch of 8 random images with random labels is fitted for 10 steps in "epochs" of 5,
// showing the state_dict names, that every row of the output is a log-distribution, that the
// learning rate follows StepLR, and that the loss falls.
func Example_mnistNet() {
	store := graph.NewStore(tensor.Float32, 1)
	const batch, stepsPerEpoch = 8, 5
	adadelta, err := solvers.NewAdadelta(solvers.WithLearnRate(1.0),
		solvers.WithSchedule(solvers.PerEpoch(solvers.StepLR(1, 0.7), stepsPerEpoch)))
	if err != nil {
		fmt.Println(err)
		return
	}
	nll := func(out, target *gorgonia.Node) (*gorgonia.Node, error) { return ops.NLL(out, target) }
	tr, err := graph.NewTrainer(Net{}, store, tensor.Shape{batch, 1, 28, 28}, tensor.Int, tensor.Shape{batch}, nll, adadelta)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close()
	for _, name := range store.Names() {
		t, _ := store.Get(name)
		fmt.Println(name, t.Shape())
	}

	rng := rand.New(rand.NewSource(2))
	pixels := make([]float32, batch*28*28)
	for i := range pixels {
		pixels[i] = (rng.Float32() - 0.1307) / 0.3081 // transforms.Normalize((0.1307,), (0.3081,))
	}
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.Intn(10)
	}
	x := tensor.New(tensor.WithShape(batch, 1, 28, 28), tensor.WithBacking(pixels))
	y := tensor.New(tensor.WithShape(batch), tensor.WithBacking(labels))
	var first, last float64
	for step := 0; step < 10; step++ {
		if last, err = tr.Step(x, y); err != nil {
			fmt.Println(err)
			return
		}
		if step == 0 {
			first = last
		}
	}
	out := tr.Output().Data().([]float32)
	rowsSumToOne := true
	for i := 0; i < batch; i++ {
		var s float64
		for _, v := range out[i*10 : (i+1)*10] {
			s += math.Exp(float64(v))
		}
		rowsSumToOne = rowsSumToOne && math.Abs(s-1) < 1e-5
	}
	fmt.Println("each row of exp(output) sums to 1:", rowsSumToOne)
	fmt.Printf("learning rate after 2 epochs: %.2f\n", adadelta.ScheduledLR()) // 1.0·0.7²
	fmt.Printf("first loss near ln 10: %v; loss after 10 steps lower: %v\n", math.Abs(first-math.Log(10)) < 0.5, last < first)
	// Output:
	// conv1.weight (32, 1, 3, 3)
	// conv1.bias (32)
	// conv2.weight (64, 32, 3, 3)
	// conv2.bias (64)
	// fc1.weight (128, 9216)
	// fc1.bias (128)
	// fc2.weight (10, 128)
	// fc2.bias (10)
	// each row of exp(output) sums to 1: true
	// learning rate after 2 epochs: 0.49
	// first loss near ln 10: true; loss after 10 steps lower: true
}

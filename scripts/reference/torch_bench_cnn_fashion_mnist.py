"""The PyTorch side of the README's full Fashion-MNIST comparison: the bench CNN with PyTorch's recipe
(SGD lr 0.05, momentum 0.9, batch 64, 2 epochs, inputs normalised by the training set's mean and std) on
Debian's full Fashion-MNIST, one run per seed given on the command line:

    /usr/bin/python3 scripts/reference/torch_bench_cnn_fashion_mnist.py 0 1 2
"""
import gzip, sys, time, numpy as np, torch, torch.nn as nn
torch.set_num_threads(2)
d='/usr/share/datasets/fashion-mnist/'
def imgs(f):
    b=gzip.open(d+f).read(); n=int.from_bytes(b[4:8],'big'); return torch.tensor(np.frombuffer(b,np.uint8,offset=16).reshape(n,1,28,28).astype(np.float32)/255)
def labs(f): b=gzip.open(d+f).read(); return torch.tensor(np.frombuffer(b,np.uint8,offset=8).astype(np.int64))
xtr,ytr,xte,yte=imgs('train-images-idx3-ubyte.gz'),labs('train-labels-idx1-ubyte.gz'),imgs('t10k-images-idx3-ubyte.gz'),labs('t10k-labels-idx1-ubyte.gz')
m,s=xtr.mean(),xtr.std(); xtr=(xtr-m)/s; xte=(xte-m)/s
for seed in [int(a) for a in sys.argv[1:]]:
    torch.manual_seed(seed)
    net=nn.Sequential(nn.Conv2d(1,32,3,padding=1),nn.ReLU(),nn.MaxPool2d(2),nn.Conv2d(32,64,3,padding=1),nn.ReLU(),nn.MaxPool2d(2),nn.Flatten(),nn.Linear(3136,128),nn.ReLU(),nn.Linear(128,10))
    opt=torch.optim.SGD(net.parameters(),lr=0.05,momentum=0.9); t=time.time(); accs=[]
    for ep in range(2):
        perm=torch.randperm(len(xtr))
        for i in range(0,len(xtr),64):
            idx=perm[i:i+64]; opt.zero_grad(); nn.functional.cross_entropy(net(xtr[idx]),ytr[idx]).backward(); opt.step()
        with torch.no_grad(): accs.append((net(xte).argmax(1)==yte).float().mean().item())
    print(f'seed {seed}: epoch 1 {accs[0]*100:.2f}%  epoch 2 {accs[1]*100:.2f}%  ({time.time()-t:.0f} s)', flush=True)

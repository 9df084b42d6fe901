"""
LambdaMART (LightGBM) re-ranking of the first POOL candidates of the hand-set blend, on the CSV of ltr-dump.ts.

  LTR_DIR=/tmp/ltr2 python ltr-gbm.py fit-1,...,fit-4 FEATURE,... JSON-LIST-OF-PARAMS POOL [MODEL-FILE]
"""
import sys, numpy as np, lightgbm as lgb, json, itertools
import os
D=os.environ.get("LTR_DIR","/tmp/ltr2")
def load(name):
    a=np.genfromtxt(f'{D}/{name}.csv',delimiter=',',skip_header=1)
    g=np.genfromtxt(f'{D}/{name}.groups.csv',delimiter=',',skip_header=1).astype(int)
    return a,g
COLS=open(f'{D}/validation.csv').readline().strip().split(',')
ix={c:i for i,c in enumerate(COLS)}
def feats(a, which):
    cols=[a[:,ix[c]] for c in which]
    return np.column_stack(cols)
def evaluate(a,g,score):
    qid=a[:,0].astype(int); label=a[:,1]
    nq=len(g); hits=np.zeros(nq); rr=np.zeros(nq)
    order=np.lexsort((a[:,ix['blendRank']], -score, qid))  # score desc, ties by blend order
    # per query
    starts=np.searchsorted(qid[order], np.arange(nq))
    ends=np.searchsorted(qid[order], np.arange(nq), side='right')
    lab=label[order]
    for q in range(nq):
        s,e=starts[q],ends[q]
        l=lab[s:e]
        w=np.nonzero(l[:10])[0]
        if len(w): hits[q]=1; rr[q]=1/(w[0]+1)
        else:
            ps,after=g[q,1],g[q,2]
            if ps<10 and after>=0 and ps+after<10: hits[q]=1; rr[q]=1/(ps+after+1)
    return hits, rr
def main():
    fits=sys.argv[1].split(',')
    which=sys.argv[2].split(',')
    A=[load(f) for f in fits]
    V=load('validation')
    base_h,base_r=evaluate(*V, -V[0][:,ix['blendRank']])
    print(f'hand-set validation HR {base_h.mean():.4f} MRR {base_r.mean():.4f}')
    P=int(sys.argv[4]) if len(sys.argv)>4 else 50
    A=[(a[a[:,ix['blendRank']]<=P],g) for a,g in A]
    Xtr=np.vstack([feats(a,which) for a,_ in A]); ytr=np.concatenate([a[:,1] for a,_ in A])
    grp=np.concatenate([np.bincount(a[:,0].astype(int), minlength=len(g)) for a,g in A])
    # drop groups without a positive? lambdarank ignores them (zero gradients)
    Xv=feats(V[0],which)
    for params in json.loads(sys.argv[3]):
        p=dict(objective='lambdarank', lambdarank_truncation_level=20, eval_at=[10], verbose=-1, num_threads=1, min_data_in_leaf=50, learning_rate=0.05)
        p.update(params)
        rounds=p.pop('rounds',200)
        ds=lgb.Dataset(Xtr,ytr,group=grp)
        m=lgb.train(p,ds,num_boost_round=rounds)
        for r in sorted(set([rounds//4, rounds//2, rounds])):
            sc=m.predict(Xv, num_iteration=r)
            sc=np.where(V[0][:,ix['blendRank']]<=P, sc, -1e9)
            h,rr=evaluate(*V,sc)
            won=int(((h==1)&(base_h==0)).sum()); lost=int(((h==0)&(base_h==1)).sum())
            print(f'{json.dumps(params)} rounds={r}: validation HR {h.mean():.4f} MRR {rr.mean():.4f} won {won} lost {lost}', flush=True)
        if len(sys.argv)>5: m.save_model(sys.argv[5])
main()

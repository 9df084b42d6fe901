"""
Learned blends of the home slot on the CSV of ltr-extract.ts / ltr-dump.ts (LTR_DIR, default /tmp/ltr2).

  python ltr-blend-search.py fit-1,...,fit-8          coordinate ascent of HR@10 (then MRR@10) on the fit days over terms added to
                                                     the hand-set blend; the validation day reported, never searched (SWEEPS=1|2)
  python ltr-blend-search.py --score DAY JSON-LIST   scores blends on one day file (validation, or test once), won/lost pairs
"""
import sys, os, numpy as np, json
D=os.environ.get('LTR_DIR','/tmp/ltr2')
COLS=open(f'{D}/validation.csv').readline().strip().split(',')
ix={c:i for i,c in enumerate(COLS)}
def load(name):
    a=np.genfromtxt(f'{D}/{name}.csv',delimiter=',',skip_header=1)
    g=np.genfromtxt(f'{D}/{name}.groups.csv',delimiter=',',skip_header=1).astype(int)
    return a,g
def terms(a):
    c=lambda n:a[:,ix[n]]
    n=c('n'); pos=c('pos')
    inv=lambda r: np.where(r>0,1/np.maximum(r,1),0)
    T={
     'nb':c('nb'),'cv':c('cv'),'hop':c('hop'),'rv':c('rv'),
     'logViews':np.log1p(c('views')),'pop':c('pop'),'trend':c('trend') if 'trend' in ix else 0*n,
     'cvLast':c('cvLast') if 'cvLast' in ix else 0*n,'seedLinks':c('seedLinks') if 'seedLinks' in ix else 0*n,
     'invNbRank':inv(c('nbRank')),'invCvRank':inv(c('cvRank')),
     'pos0':(pos==0)*1.,'pos1':(pos==1)*1.,'pos2':(pos==2)*1.,'pos3+':(pos>=3)*1.,
     'nbXcv':np.sqrt(c('nb')*c('cv')),
    }
    for b,(lo,hi) in {'1':(1,1),'2':(2,2),'34':(3,4),'5':(5,99)}.items():
        m=((n>=lo)&(n<=hi))*1.
        for k in ['nb','cv','rv','logViews']: T[f'{k}@{b}']=T[k]*m
    return T
class Q:
    def __init__(s,name):
        a,g=load(name); s.a=a; s.g=g; s.qid=a[:,0].astype(int); s.nq=len(g); s.T=terms(a)
        s.lab=a[:,1]==1; s.br=a[:,ix['blendRank']]
        s.tq=s.qid[s.lab]; 
        ps,after=g[:,1],g[:,2]
        s.fallhit=np.zeros(s.nq); ok=(ps<10)&(after>=0)&(ps+after<10); s.fallhit[ok]=1; s.fallrr=np.where(ok,1/(ps+after+1),0)
    def score(s,w):
        sc=np.zeros(len(s.a))
        for k,v in w.items():
            if v: sc+=v*s.T[k]
        return sc
    def eval(s,w):
        sc=s.score(w)
        ts=np.full(s.nq,np.nan); tb=np.full(s.nq,np.nan)
        ts[s.tq]=sc[s.lab]; tb[s.tq]=s.br[s.lab]
        t=ts[s.qid]; b=tb[s.qid]
        above=(sc>t)|((sc==t)&(s.br<b))
        cnt=np.bincount(s.qid,weights=above,minlength=s.nq)
        has=~np.isnan(ts)
        rank=np.where(has,cnt+1,0)
        hit=np.where(has,rank<=10,s.fallhit>0)
        rr=np.where(has,np.where(rank<=10,1/np.maximum(rank,1),0),s.fallrr)
        return hit, rr
base={'nb':1,'cv':0.1,'hop':0.2,'rv':0.35}
GRID={'cv':[0,0.05,0.1,0.2,0.35],'hop':[0,0.1,0.2,0.3],'rv':[0.2,0.35,0.5,0.75],
 'logViews':[-0.1,-0.05,-0.02,0,0.02,0.05],'pop':[-0.2,-0.1,0,0.1,0.2],'trend':[-0.2,-0.1,0,0.1,0.2],
 'cvLast':[0,0.05,0.1,0.2,0.4],'seedLinks':[-0.05,0,0.05,0.1,0.2],'invNbRank':[0,0.05,0.1,0.2],'invCvRank':[0,0.05,0.1,0.2],
 'pos0':[-0.2,-0.1,0,0.1,0.2],'pos1':[-0.1,0,0.1,0.2,0.3],'pos2':[-0.1,0,0.1,0.2,0.3],'pos3+':[-0.1,0,0.1,0.2,0.3],'nbXcv':[-0.2,-0.1,0,0.1,0.2],
}
for b in ['1','2','34','5']:
    for k,gr in [('nb',[-0.3,-0.15,0,0.15,0.3]),('cv',[-0.1,-0.05,0,0.05,0.1,0.2]),('rv',[-0.15,-0.1,0,0.1,0.15]),('logViews',[-0.05,-0.02,0,0.02,0.05])]: GRID[f'{k}@{b}']=gr
if sys.argv[1]=='--score':
    day=sys.argv[2]; V=Q(day); bh,br=V.eval(base)
    print(f'{day}: {V.nq} pairs; hand-set HR {bh.mean():.4f} MRR {br.mean():.4f}')
    for w in json.loads(sys.argv[3]):
        h,r=V.eval(w); print(f'{json.dumps(w)}: HR {h.mean():.4f} MRR {r.mean():.4f} won {int((h&~bh).sum())} lost {int((~h&bh).sum())}',flush=True)
    sys.exit(0)
only=sys.argv[2].split(',') if len(sys.argv)>2 else list(GRID)
fits=[Q(f) for f in sys.argv[1].split(',')]
V=Q('validation')
def fitscore(w):
    h=np.concatenate([f.eval(w)[0] for f in fits]); r=np.concatenate([f.eval(w)[1] for f in fits])
    return h.mean(), r.mean()
bh,br_=V.eval(base)
print(f'hand-set: fit {fitscore(base)} validation HR {bh.mean():.4f} MRR {br_.mean():.4f}',flush=True)
w=dict(base); best=fitscore(w)
for sweep in range(int(os.environ.get('SWEEPS','2'))):
    changed=False
    for k in only:
        for v in GRID[k]:
            if w.get(k,0)==v: continue
            t=dict(w); t[k]=v; s=fitscore(t)
            if s>best: best=s; w=t; changed=True
        vh,vr=V.eval(w)
    vh,vr=V.eval(w)
    won=int((vh&~bh).sum()); lost=int((~vh&bh).sum())
    print(f'sweep {sweep}: {json.dumps({k:v for k,v in w.items() if v})} fit HR {best[0]:.4f} MRR {best[1]:.4f}; validation HR {vh.mean():.4f} MRR {vr.mean():.4f} won {won} lost {lost}',flush=True)
    if not changed: break

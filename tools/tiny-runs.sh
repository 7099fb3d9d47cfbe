# Sourced by tools/kill-trials.sh and tools/gc-stress.sh: one tiny training run per model family, several epochs
# (a checkpoint after each), seconds to a minute or two each on one thread. Arguments to append: --threads, --out, ...
declare -A cmd=(
  [baseline]="baseline train --task mnist --model fc --epochs 4 --max-batches 40"
  [ram]="ram train --task mnist --epochs 4 --max-batches 30 --samples 1"
  [draw]="draw train --task mnist --hidden 64 --epochs 4 --max-batches 20"
  [stn]="stn train --model st-cnn --epochs 4 --max-batches 20"
  [seq2seq]="translate train --task dates --arch bahdanau --epochs 4 --max-batches 20"
  [transformer]="translate train --task dates --arch transformer --epochs 4 --max-batches 20"
  [textclass]="classify train --task polarity-sentences --model attn --folds 10 --fold 1 --epochs 4 --max-batches 20"
  [tagging]="tag train --task brown-universal --model bilstm-crf-attn --max-sentences 2000 --epochs 4 --max-batches 20"
  [segmentation]="segment train --model attention-unet --train-size 200 --test-size 100 --epochs 4 --max-batches 10"
  [captioning]="caption train --train-size 400 --test-size 100 --epochs 4 --max-batches 10"
  [vqa]="vqa train --train-size 400 --test-size 100 --epochs 4 --max-batches 10"
  [relex]="relex train --epochs 4 --max-batches 20"
  [forecast]="forecast train --hidden 16 --epochs 4 --max-batches 20"
)
order=(baseline ram draw stn seq2seq transformer textclass tagging segmentation captioning vqa relex forecast)

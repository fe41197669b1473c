/**
 * AASIST's residual encoder over the [filters × frames] map: six 2-D residual blocks, each
 * ending in a max-pool of 3 along time. Module names equal the published checkpoint's
 * (`encoder.<i>.0.{bn1,conv1,bn2,conv2,conv_downsample}`).
 */
import { F, nn, type Tensor } from '../../engine/index.js';
import { BLOCK_TIME_POOL, FRONT_POOL, type AasistConfig } from './config.js';
import type { SincFrontEnd } from './sinc.js';

/** Kernel of both block convolutions (filters × frames). */
const BLOCK_KERNEL: [number, number] = [2, 3];
/** conv1 pads one filter row on each side (the output gains a row), conv2 pads none (it loses it again). */
const CONV1_PADDING: [number, number] = [1, 1];
const CONV2_PADDING: [number, number] = [0, 1];
/** The 1×3 projection of the skip path when the channel count changes. */
const DOWNSAMPLE_KERNEL: [number, number] = [1, 3];
const DOWNSAMPLE_PADDING: [number, number] = [0, 1];

/**
 * conv(2×3) → BN → SELU → conv(2×3), plus the (projected) input, then max-pool 1×`timePool`
 * (3 in AASIST; 1, none, behind a wav2vec 2.0 front end).
 *
 * As in the published model, `bn1` (present in every block but the first) is a parameter of the
 * checkpoint but its output is never used: conv1 reads the block input directly. It is kept so the
 * checkpoint loads strictly and the parameter count matches; it receives no gradient.
 */
export class ResidualBlock extends nn.Module implements nn.UnaryModule {
  readonly bn1: nn.BatchNorm2d | null;
  readonly conv1: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly conv2: nn.Conv2d;
  readonly convDownsample: nn.Conv2d | null;

  constructor(
    inChannels: number,
    outChannels: number,
    first: boolean,
    readonly timePool = BLOCK_TIME_POOL,
  ) {
    super();
    this.bn1 = first ? null : this.module('bn1', new nn.BatchNorm2d(inChannels));
    this.conv1 = this.module('conv1', new nn.Conv2d(inChannels, outChannels, BLOCK_KERNEL, { padding: CONV1_PADDING }));
    this.bn2 = this.module('bn2', new nn.BatchNorm2d(outChannels));
    this.conv2 = this.module('conv2', new nn.Conv2d(outChannels, outChannels, BLOCK_KERNEL, { padding: CONV2_PADDING }));
    this.convDownsample =
      inChannels === outChannels
        ? null
        : this.module('conv_downsample', new nn.Conv2d(inChannels, outChannels, DOWNSAMPLE_KERNEL, { padding: DOWNSAMPLE_PADDING }));
  }

  /** [B, Cin, H, W] → [B, Cout, H, ⌊W/timePool⌋]. Intermediates are freed as soon as they are consumed. */
  forward(x: Tensor): Tensor {
    const a = this.conv1.forward(x);
    const b = this.bn2.forward(a);
    a.dispose();
    const c = F.selu(b);
    b.dispose();
    const d = this.conv2.forward(c);
    c.dispose();
    const skip = this.convDownsample ? this.convDownsample.forward(x) : x;
    // In place: neither conv2's nor the sum's backward needs conv2's output, so autograd allows it.
    d.add_(skip);
    if (skip !== x) skip.dispose();
    if (this.timePool === 1) return d;
    const out = F.maxPool2d(d, [1, this.timePool]);
    d.dispose();
    return out;
  }
}

/**
 * The six blocks as nested Sequentials (`encoder.<i>.0`): blocks[0] (without bn1), blocks[1],
 * blocks[2], then blocks[3] three times.
 */
export function buildEncoder(c: Pick<AasistConfig, 'blocks'>, timePool = BLOCK_TIME_POOL): nn.Sequential {
  const pairs = [c.blocks[0], c.blocks[1], c.blocks[2], c.blocks[3], c.blocks[3], c.blocks[3]];
  return new nn.Sequential(...pairs.map(([cin, cout], i) => new nn.Sequential(new ResidualBlock(cin, cout, i === 0, timePool))));
}

/** The modules of AASIST's waveform path (AASIST and AMSDF's audio view carry them under these names). */
export interface SincEncoderParts {
  readonly convTime: SincFrontEnd;
  readonly firstBn: nn.BatchNorm2d;
  readonly encoder: nn.Sequential;
}

/**
 * Sinc front end → |·| → 3×3 max-pool → BN → SELU → residual blocks: waveforms [B, samples] →
 * [B, C, spectral nodes, temporal frames]. Intermediates are freed as soon as they are consumed
 * (the early maps are hundreds of MB per example).
 */
export function encodeWaveform(m: SincEncoderParts, wave: Tensor): Tensor {
  const filtered = m.convTime.forward(wave);
  const rectified = filtered.abs();
  filtered.dispose();
  const asImage = rectified.unsqueeze(1); // a view: disposing both handles frees the storage
  const pooled = F.maxPool2d(asImage, [FRONT_POOL, FRONT_POOL]);
  asImage.dispose();
  rectified.dispose();
  const normed = m.firstBn.forward(pooled);
  pooled.dispose();
  let x = F.selu(normed);
  normed.dispose();
  for (const block of m.encoder.layers) {
    const next = block.forward(x);
    x.dispose();
    x = next;
  }
  return x;
}

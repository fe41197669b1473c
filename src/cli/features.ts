/** `trustser features list|extract`: the feature command group. */
import type { Command } from 'commander';
import { registerFeaturesExtract } from './features-extract.js';
import { registerFeaturesList } from './features-list.js';

export function registerFeatures(program: Command): void {
  const features = program.command('features').description('compute acoustic features');
  registerFeaturesList(features);
  registerFeaturesExtract(features);
}

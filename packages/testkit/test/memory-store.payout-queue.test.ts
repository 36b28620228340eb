import { MemoryStore } from '@settle/core';
import { runPayoutQueueScenarios } from '../src/index';

runPayoutQueueScenarios('MemoryStore', () => ({ store: new MemoryStore() }));

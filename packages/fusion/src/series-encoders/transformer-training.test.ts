import { describeTraining } from '../testing/describe-training.js';

describeTraining('transformer');

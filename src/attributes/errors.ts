import { ProfileServiceError } from '../errors.js';

/** No attribute definition has this key (the API answers 404). */
export class AttributeDefinitionNotFoundError extends ProfileServiceError {
  readonly key: string;

  constructor(key: string) {
    super('ERR_ATTRIBUTE_NOT_FOUND', 'No such attribute definition');
    this.key = key;
  }
}

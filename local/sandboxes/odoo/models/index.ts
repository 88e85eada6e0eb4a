import { BASE_MODEL_METHODS } from '../orm/base-methods';
import type { ModelLookup } from '../orm/environment';
import { Model, type ModelDefinition } from '../orm/model';
import type { OdooVersion } from '../server-version';
import { accountMoveLineModel, accountMoveModel } from './account-move';
import { moveReversalModel } from './account-move-reversal';
import { accountPaymentModel, paymentRegisterModel } from './account-payment';
import { companyModel, countryModel } from './company';
import { currencyModel } from './currency';
import { irModelDataModel } from './ir-model-data';
import { journalModel } from './journal';
import { MAIL_THREAD_METHODS, mailMessageModel } from './mail-message';
import { partnerCategoryModel, partnerModel } from './partner';
import { productModel } from './product';
import { pricelistModel, saleOrderCancelModel, saleOrderLineModel, saleOrderModel } from './sale-order';
import { taxModel } from './tax';
import { usersModel } from './users';

/** The models the sandbox installs: those of the recorded databases (base, contacts, account, sale_management). */
function installedModels(version: OdooVersion): ModelDefinition[] {
  return [
    companyModel,
    countryModel,
    usersModel,
    currencyModel,
    partnerModel,
    partnerCategoryModel,
    irModelDataModel,
    mailMessageModel,
    productModel,
    taxModel,
    journalModel,
    accountMoveModel,
    accountMoveLineModel,
    accountPaymentModel,
    paymentRegisterModel,
    moveReversalModel,
    pricelistModel,
    saleOrderModel,
    saleOrderLineModel(version),
    saleOrderCancelModel,
  ];
}

/** The model registry (`env[...]`): each model with the methods it inherits (BaseModel, mail.thread) and its own. */
export function buildModelRegistry(version: OdooVersion): ModelLookup {
  const models = new Map(
    installedModels(version).map((definition) => [
      definition.name,
      new Model(definition, { ...BASE_MODEL_METHODS, ...(definition.mailThread === true ? MAIL_THREAD_METHODS : {}), ...definition.methods }),
    ]),
  );
  return {
    all: () => [...models.values()],
    find: (name) => models.get(name),
    get: (name) => {
      const model = models.get(name);
      if (model === undefined) throw new Error(`model ${name} is not installed in the sandbox`);
      return model;
    },
  };
}

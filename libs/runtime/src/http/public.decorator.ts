import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'steward:public';

/** The route needs no authentication (health checks, sign-in, the public help center). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

import { Controller, Get, Inject, Injectable, type INestApplication } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, type OpenAPIObject } from '@nestjs/swagger';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { Public } from '@steward/runtime';
import { buildOpenApiDocument } from './openapi-document';
import { ref } from './schemas';

/**
 * The served OpenAPI document, built on the first request and kept: the routes do not change
 * while the server runs. The document is built from the application itself, which providers
 * cannot inject, so createServer hands it over with `attach`.
 */
@Injectable()
export class OpenApiDocuments {
  private app?: INestApplication;
  private document?: OpenAPIObject;

  constructor(@Inject(STEWARD_CONFIG) private readonly config: StewardConfig) {}

  attach(app: INestApplication): void {
    this.app = app;
  }

  get(): OpenAPIObject {
    if (!this.app) throw new Error('OpenApiDocuments: no application attached');
    this.document ??= buildOpenApiDocument(this.app, this.config.publicUrl);
    return this.document;
  }
}

/** The API's own description, for client generators and API explorers. */
@ApiTags('OpenAPI')
@Controller('api/v2')
export class OpenApiController {
  constructor(private readonly documents: OpenApiDocuments) {}

  @Get('openapi.json')
  @Public()
  @ApiOperation({ summary: 'The OpenAPI 3 document of this API' })
  @ApiOkResponse({ description: 'The document', schema: ref('OpenApiDocument') })
  openapi(): OpenAPIObject {
    return this.documents.get();
  }
}

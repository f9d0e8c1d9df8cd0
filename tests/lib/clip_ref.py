"""clip_ref.py — the PyTorch oracle: OpenAI CLIP's ViT architecture with the
exact CheXzero state-dict key names, plus the PPAD forward paths (image tower
from patch tokens with the image prompt, text tower from token embeddings).
Used only by tests and benchmarks; ppad itself never runs Python."""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm(nn.LayerNorm):
    pass


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head, attn_mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = LayerNorm(d_model)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(d_model, d_model * 4)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(d_model * 4, d_model)),
        ]))
        self.ln_2 = LayerNorm(d_model)
        self.attn_mask = attn_mask

    def attention(self, x):
        m = self.attn_mask.to(dtype=x.dtype, device=x.device) if self.attn_mask is not None else None
        return self.attn(x, x, x, need_weights=False, attn_mask=m)[0]

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, attn_mask=None):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    def __init__(self, input_resolution, patch_size, width, layers, heads, output_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((input_resolution // patch_size) ** 2 + 1, width))
        self.ln_pre = LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def patch_tokens(self, x):  # (B,3,H,W) -> (B, grid*grid, width)
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1)
        return x.permute(0, 2, 1)

    def forward_tokens(self, tok):  # (B, 49, width) -> (B, output_dim)
        cls = self.class_embedding.to(tok.dtype) + torch.zeros(tok.shape[0], 1, tok.shape[-1], dtype=tok.dtype)
        x = torch.cat([cls, tok], dim=1)
        x = x + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x)
        x = x.permute(1, 0, 2)
        x = self.transformer(x)
        x = x.permute(1, 0, 2)
        x = self.ln_post(x[:, 0, :])
        return x @ self.proj

    def forward(self, x):
        return self.forward_tokens(self.patch_tokens(x))


class CLIP(nn.Module):
    def __init__(self, embed_dim=512, image_resolution=224, vision_layers=12, vision_width=768,
                 vision_patch_size=32, context_length=77, vocab_size=49408, transformer_width=512,
                 transformer_heads=8, transformer_layers=12):
        super().__init__()
        self.context_length = context_length
        self.visual = VisionTransformer(image_resolution, vision_patch_size, vision_width, vision_layers,
                                        vision_width // 64, embed_dim)
        self.transformer = Transformer(transformer_width, transformer_layers, transformer_heads,
                                       attn_mask=self.build_attention_mask())
        self.vocab_size = vocab_size
        self.token_embedding = nn.Embedding(vocab_size, transformer_width)
        self.positional_embedding = nn.Parameter(torch.empty(context_length, transformer_width))
        self.ln_final = LayerNorm(transformer_width)
        self.text_projection = nn.Parameter(torch.empty(transformer_width, embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]) * 4.6052)
        self.initialize_parameters()

    def initialize_parameters(self):
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        t = self.transformer
        width = t.resblocks[0].attn.embed_dim
        layers = len(t.resblocks)
        proj_std = (width ** -0.5) * ((2 * layers) ** -0.5)
        attn_std = width ** -0.5
        fc_std = (2 * width) ** -0.5
        for blocks in (self.transformer.resblocks, self.visual.transformer.resblocks):
            for b in blocks:
                w = b.attn.embed_dim
                nn.init.normal_(b.attn.in_proj_weight, std=w ** -0.5)
                nn.init.normal_(b.attn.out_proj.weight, std=proj_std)
                nn.init.normal_(b.mlp.c_fc.weight, std=fc_std)
                nn.init.normal_(b.mlp.c_proj.weight, std=proj_std)
                # random (not zero) biases and LayerNorm affines so every parameter is exercised
                nn.init.normal_(b.attn.in_proj_bias, std=0.02)
                nn.init.normal_(b.attn.out_proj.bias, std=0.02)
                nn.init.normal_(b.mlp.c_fc.bias, std=0.02)
                nn.init.normal_(b.mlp.c_proj.bias, std=0.02)
                for ln in (b.ln_1, b.ln_2):
                    nn.init.normal_(ln.weight, mean=1.0, std=0.1)
                    nn.init.normal_(ln.bias, std=0.05)
        for ln in (self.ln_final, self.visual.ln_pre, self.visual.ln_post):
            nn.init.normal_(ln.weight, mean=1.0, std=0.1)
            nn.init.normal_(ln.bias, std=0.05)
        nn.init.normal_(self.text_projection, std=width ** -0.5)

    def build_attention_mask(self):
        mask = torch.empty(self.context_length, self.context_length)
        mask.fill_(float("-inf"))
        mask.triu_(1)
        return mask

    def encode_image(self, image):
        return self.visual(image)

    def encode_text_embeddings(self, emb, eot):  # emb (B,77,W), eot (B,) -> (B, embed_dim)
        x = emb + self.positional_embedding
        x = x.permute(1, 0, 2)
        x = self.transformer(x)
        x = x.permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), eot] @ self.text_projection

    def encode_text(self, ids):  # ids (B,77) long
        return self.encode_text_embeddings(self.token_embedding(ids), ids.argmax(dim=-1))


FP16_SUFFIXES = ("conv1.weight", "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias",
                 "c_fc.weight", "c_fc.bias", "c_proj.weight", "c_proj.bias")


def is_fp16_key(k):
    """What clip.load(..., device='cuda') converts to fp16 (OpenAI convert_weights)."""
    return k.endswith(FP16_SUFFIXES) or k in ("text_projection", "visual.proj")


def chexzero_state_dict(model):
    """The model's state dict in CheXzero's mixed fp16/fp32 layout."""
    sd = OrderedDict()
    for k, v in model.state_dict().items():
        sd[k] = v.detach().half() if is_fp16_key(k) else v.detach().float()
    return sd


def config_from_state_dict(sd):
    vw = sd["visual.conv1.weight"].shape[0]
    vl = len([k for k in sd if k.startswith("visual.") and k.endswith(".attn.in_proj_weight")])
    ps = sd["visual.conv1.weight"].shape[-1]
    grid = round((sd["visual.positional_embedding"].shape[0] - 1) ** 0.5)
    tw = sd["ln_final.weight"].shape[0]
    tl = len(set(k.split(".")[2] for k in sd if k.startswith("transformer.resblocks")))
    return dict(embed_dim=sd["text_projection"].shape[1], image_resolution=ps * grid, vision_layers=vl,
                vision_width=vw, vision_patch_size=ps, context_length=sd["positional_embedding"].shape[0],
                vocab_size=sd["token_embedding.weight"].shape[0], transformer_width=tw,
                transformer_heads=tw // 64, transformer_layers=tl)


def load_fp32(path):
    """Loads a CheXzero-layout checkpoint as an fp32 reference model."""
    sd = torch.load(path, map_location="cpu")
    for k in ("input_resolution", "context_length", "vocab_size"):
        sd.pop(k, None)
    model = CLIP(**config_from_state_dict(sd))
    model.load_state_dict(OrderedDict((k, v.float()) for k, v in sd.items()))
    return model.float().eval()


# The authors' transforms.Normalize constants, as their code writes them (spec
# section 1) -- not CheXzero's 101.48761 / 255.
MEAN = 0.39799
STD = 0.32721349


def normalise_gray(img_u8):
    """(H,W) uint8 numpy -> (3,H,W) float32 tensor, as the authors' torchvision
    pipeline computes it: ToTensor (byte tensor .float().div(255)) on the
    3-channel image, then Normalize (sub_(as_tensor(mean, float32)).div_(std))."""
    import numpy as np
    t = torch.from_numpy(np.array(img_u8, dtype=np.uint8, copy=True))
    t = torch.stack([t, t, t]).to(dtype=torch.float32).div(255)
    mean = torch.as_tensor([MEAN] * 3, dtype=torch.float32)[:, None, None]
    std = torch.as_tensor([STD] * 3, dtype=torch.float32)[:, None, None]
    return t.sub_(mean).div_(std).contiguous()
